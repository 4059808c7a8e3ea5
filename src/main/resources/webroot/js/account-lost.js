// An account an admin disabled: the gateway closes our sockets with 4403 "account disabled", and
// a refresh answers 401 "this account is disabled". A session a new password ended (changed in
// another session, or reset by mail): the gateway closes its sockets with 4410. Either way the
// page logs out and, once reloaded clean, the login screen says why. The reason crosses the reload in sessionStorage
// (this tab only). No DOM.

const KEY = 'parley.signed-out-because';

export const DISABLED_TEXT = 'Your account was disabled';

/** Why a session ended by a new password (the gateway's 4410) is signed out. */
export const PASSWORD_CHANGED_TEXT = 'Your password was changed, so this session ended. Log in with the new password.';

/** Whether an error (an ApiError of a refresh or a login) says the account is disabled. */
export function isDisabled(err) {
  return Boolean(err && err.status === 401 && /disabled/i.test(err.message || ''));
}

/** Remembers, across the coming reload, why we were signed out. */
export function remember(text) {
  try { sessionStorage.setItem(KEY, text); } catch (e) { /* storage off: the notice is lost, not the logout */ }
}

/** Why the last page was signed out, once (then forgotten); null when it was not. */
export function take() {
  try {
    const text = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return text;
  } catch (e) {
    return null;
  }
}
