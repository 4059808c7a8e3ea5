// The profile view (#profile, in place of the open room): our picture (upload an image to set it,
// with progress; Remove), username and names, and a new password. What we change replaces what
// the client knows of us (profile.js), so the sidebar, members and messages show it at once.
import { $ } from '../dom.js';
import * as profile from '../profile.js';
import * as store from '../state.js';
import { avatar } from './avatar.js';
import { showError, showNotice } from './notices.js';

let avatarUpload = null; // {abort} while a picture is on its way

/** Shows the view (open: #profile was asked for) or hides it. */
export function show(open) {
  document.body.classList.toggle('in-profile', open);
  $('#profile-view').hidden = !open;
  if (!open) return;
  $('#room').hidden = true;
  $('#billing-view').hidden = true;
  render();
  fillNames();
}

function render() {
  const user = store.me();
  if (!user || $('#profile-view').hidden) return;
  $('#profile-avatar').replaceChildren(avatar(user, 96));
  $('#avatar-remove').hidden = !user.avatar_url;
}

function fillNames() {
  const user = store.me();
  const form = $('#profile-form');
  form.elements.username.value = user.username || '';
  form.elements.first_name.value = user.first_name || '';
  form.elements.last_name.value = user.last_name || '';
  $('#password-change-form').elements.email.value = user.email || ''; // for password managers
}

export function mount() {
  store.on('me', render);
  const input = $('#avatar-input');
  input.addEventListener('change', () => {
    const file = input.files[0];
    input.value = '';
    if (file) chooseAvatar(file);
  });
  $('#avatar-cancel').addEventListener('click', () => { if (avatarUpload) avatarUpload.abort(); });
  $('#avatar-remove').addEventListener('click', removeAvatar);
  $('#profile-form').addEventListener('submit', saveNames);
  $('#password-change-form').addEventListener('submit', changePassword);
}

function uploading(on) {
  $('#avatar-progress').hidden = !on;
  $('#avatar-cancel').hidden = !on;
  $('#avatar-pick').classList.toggle('disabled', on);
  $('#avatar-input').disabled = on;
}

async function chooseAvatar(file) {
  if (!file.type.startsWith('image/')) {
    showError('An avatar is a picture: choose a PNG, JPEG, GIF or WebP image.');
    return;
  }
  const progress = $('#avatar-progress');
  progress.value = 0;
  uploading(true);
  avatarUpload = profile.setAvatar(file, (sent, total) => { progress.value = total ? Math.round((sent * 100) / total) : 0; });
  try {
    await avatarUpload.promise;
    showNotice('Your picture is saved.');
  } catch (e) {
    if (e.code !== 'ABORTED') showError(e);
  } finally {
    avatarUpload = null;
    uploading(false);
  }
}

async function removeAvatar() {
  try {
    await profile.removeAvatar();
    showNotice('Your picture is removed.');
  } catch (e) {
    showError(e);
  }
}

async function saveNames(e) {
  e.preventDefault();
  const user = store.me();
  const f = new FormData(e.target);
  const changes = {};
  const username = f.get('username').trim();
  if (username !== user.username) changes.username = username;
  for (const name of ['first_name', 'last_name']) {
    const value = f.get(name).trim() || null; // emptied: removed
    if (value !== (user[name] || null)) changes[name] = value;
  }
  if (!Object.keys(changes).length) {
    showNotice('Nothing to change.');
    return;
  }
  try {
    await profile.updateNames(changes);
    fillNames();
    showNotice('Your profile is saved.');
  } catch (err) {
    showError(err);
  }
}

async function changePassword(e) {
  e.preventDefault();
  const f = new FormData(e.target);
  try {
    await profile.changePassword(f.get('current_password'), f.get('new_password'));
    e.target.reset();
    showNotice('Your password is changed. Your other sessions are signed out.');
  } catch (err) {
    showError(err);
  }
}
