// The screen behind a mailed link (#token-view): choose a new password (#reset) or a first one
// (#invite), then log in with it.
import { $, showScreen } from '../dom.js';
import * as router from '../router.js';
import { api } from '../session.js';
import { showAuth } from './auth.js';
import { showError, showNotice } from './notices.js';

/** Why a mailed link cannot be used, by the server's error code. */
export const TOKEN_REASONS = {
  TOKEN_USED: 'this link was already used',
  TOKEN_EXPIRED: 'this link has expired; ask for a new one',
  TOKEN_INVALID: 'this link is not valid',
};

export function showTokenForm(kind, token) {
  showScreen('token-view');
  $('#token-title').textContent = kind === 'invite' ? 'Welcome! Choose your password' : 'Choose a new password';
  const form = $('#token-form');
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      await api.request('POST', '/auth/password/reset', { token, new_password: new FormData(form).get('new_password') }, { auth: false });
      form.reset();
      router.replace(''); // the token is spent: off the address
      showNotice('Your password is set. Log in with it now.');
      showAuth();
    } catch (err) {
      showError(err.code && TOKEN_REASONS[err.code] ? `This link cannot be used: ${TOKEN_REASONS[err.code]}` : err);
    }
  };
}
