// The signed-out screen (#auth-view): the log-in, sign-up and forgot-password forms.
import { $, showScreen } from '../dom.js';
import { api } from '../session.js';
import { showError, showNotice } from './notices.js';

const FORMS = ['login-form', 'signup-form', 'forgot-form'];

function showForm(id) {
  for (const form of FORMS) document.getElementById(form).hidden = form !== id;
}

/** The screen, always on the log-in form (not a sign-up or forgot form left open earlier). */
export function showAuth() {
  showScreen('auth-view');
  showForm('login-form');
}

/** @param onSignedIn  what to show once logged in (or signed up) */
export function mount({ onSignedIn }) {
  document.querySelectorAll('[data-show]').forEach((b) => b.addEventListener('click', () => showForm(b.dataset.show)));
  $('#forgot-form').addEventListener('submit', forgot);
  $('#login-form').addEventListener('submit', (e) => logIn(e, onSignedIn));
  $('#signup-form').addEventListener('submit', (e) => signUp(e, onSignedIn));
}

async function forgot(e) {
  e.preventDefault();
  try {
    await api.request('POST', '/auth/password/forgot', { email: new FormData(e.target).get('email') }, { auth: false });
    e.target.reset();
    showNotice('If an account uses this address, a reset link is on its way.');
  } catch (err) {
    showError(err);
  }
}

async function logIn(e, onSignedIn) {
  e.preventDefault();
  const f = new FormData(e.target);
  try {
    await api.login(f.get('email'), f.get('password'));
    e.target.reset();
    await onSignedIn();
  } catch (err) {
    showError(err);
  }
}

async function signUp(e, onSignedIn) {
  e.preventDefault();
  const f = new FormData(e.target);
  const form = { email: f.get('email'), username: f.get('username'), password: f.get('password') };
  if (f.get('first_name')) form.first_name = f.get('first_name');
  if (f.get('last_name')) form.last_name = f.get('last_name');
  try {
    await api.register(form);
    await api.login(form.email, form.password);
    e.target.reset();
    await onSignedIn();
  } catch (err) {
    showError(err);
  }
}
