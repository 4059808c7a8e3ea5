// The signed-in user's corner of the sidebar: avatar, name and e-mail, the link to the profile,
// the link to the admin area (admins only), the verify-your-address banner with its resend button,
// and logging out (what the tab kept of the session is forgotten).
import { $ } from '../dom.js';
import { isAdmin } from '../moderation.js';
import * as outbox from '../outbox.js';
import * as router from '../router.js';
import * as session from '../session.js';
import * as store from '../state.js';
import { avatar } from './avatar.js';
import { showError, showNotice } from './notices.js';

const { me } = store;

export function render() {
  const user = me();
  if (!user) return;
  $('#me-avatar').replaceChildren(avatar(user, 36));
  $('#me-name').textContent = user.username;
  $('#me-email').textContent = user.email || '';
  $('#verify-banner').hidden = user.email_verified !== false;
  $('#admin-link').hidden = !isAdmin();
}

export function mount() {
  store.on('me', render);
  $('#resend').addEventListener('click', resend);
  $('#logout').addEventListener('click', logOut);
}

async function resend() {
  try {
    await session.api.post('/auth/resend-verification');
    showNotice('A new verification link is on its way.');
  } catch (err) {
    showError(err);
  }
}

async function logOut() {
  session.stopSocket();
  outbox.forget(); // the drafts, unsent messages and last room this tab kept
  router.forget();
  await session.api.logout();
  location.reload();
}
