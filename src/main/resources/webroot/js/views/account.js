// The signed-in user's corner of the sidebar: name and e-mail, the verify-your-address banner
// with its resend button, and logging out.
import { $ } from '../dom.js';
import * as session from '../session.js';
import { me } from '../state.js';
import { showError, showNotice } from './notices.js';

export function render() {
  const user = me();
  $('#me-name').textContent = user.username;
  $('#me-email').textContent = user.email || '';
  $('#verify-banner').hidden = user.email_verified !== false;
}

export function mount() {
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
  await session.api.logout();
  location.reload();
}
