// The signed-in user's profile: username and names (PATCH /users/me), the avatar (an image
// uploaded as an attachment, then PUT /users/me/avatar; DELETE removes it) and the password
// (POST /auth/password/change, which answers a fresh token pair: other sessions are signed out).
// Each answer replaces what the client knows of us, and topic 'me' (through state.js) tells the
// views. No DOM: views/profile.js draws the page.
import { ApiError } from './api.js';
import { api } from './session.js';
import { announce } from './state.js';

function changed(me) {
  api.user = me;
  announce('me');
  return me;
}

/** Changes username, first or last name ({username?, first_name?, last_name?}); rejects when refused. */
export async function updateNames(fields) {
  return changed(await api.patch('/users/me', fields));
}

/** Uploads a picture (onProgress(sent, total)) and makes it our avatar. Answers {promise, abort}. */
export function setAvatar(file, onProgress) {
  const upload = api.upload(file, onProgress);
  const promise = upload.promise.then((attachment) => {
    if (attachment.kind !== 'image') {
      throw new ApiError(415, { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'An avatar is a picture: choose a PNG, JPEG, GIF or WebP image.' });
    }
    return api.put('/users/me/avatar', { attachment_id: attachment.id });
  }).then(changed);
  return { promise, abort: upload.abort };
}

export async function removeAvatar() {
  return changed(await api.del('/users/me/avatar'));
}

export async function changePassword(currentPassword, newPassword) {
  const pair = await api.post('/auth/password/change', { current_password: currentPassword, new_password: newPassword });
  api.setSession(pair);
  announce('me');
}
