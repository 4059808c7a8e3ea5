// The composer's uploads: files attached to a room's next message (picked, pasted, dropped or
// recorded), each uploaded at once (POST /attachments, with progress) and cancellable; a failed
// one keeps the server's words. Sending takes the finished ones as the message's attachment_ids.
// A voice recording is sent on its own as soon as it is uploaded. No DOM: the composer
// (views/composer-media.js) draws the chips from uploadsOf(room).
//
// Topic (announced through state.js's listeners):
//   'uploads'  a room's uploads changed (room id)

import { size } from './dom.js';
import { api, send } from './session.js';
import { announce, state } from './state.js';

/** At most this many attachments go with one message (the server refuses more). */
export const MAX_PER_MESSAGE = 10;

const byRoom = new Map(); // room id -> Map(local id -> upload), in the order they were added
let nextId = 1;

function roomUploads(roomId) {
  if (!byRoom.has(roomId)) byRoom.set(roomId, new Map());
  return byRoom.get(roomId);
}

/**
 * A room's uploads: {id, name, size, sent (bytes so far), status: uploading|done|failed, error,
 * attachment (once done), voice (sent by itself once done)}.
 */
export function uploadsOf(roomId) {
  return byRoom.has(roomId) ? [...byRoom.get(roomId).values()] : [];
}

/** Whether files for the next message are still on their way. */
export function busy(roomId) {
  return uploadsOf(roomId).some((u) => u.status === 'uploading' && !u.voice);
}

/** The attachments uploaded for the next message. */
export function ready(roomId) {
  return uploadsOf(roomId).filter((u) => u.status === 'done' && !u.voice).map((u) => u.attachment);
}

/**
 * Attaches files to a room's next message; each starts uploading at once. Answers an error text
 * when some were left out (over MAX_PER_MESSAGE), else null.
 */
export function add(roomId, files) {
  const room = roomUploads(roomId);
  const taken = [...room.values()].filter((u) => u.status !== 'failed' && !u.voice).length;
  const left = Math.max(0, MAX_PER_MESSAGE - taken);
  for (const file of [...files].slice(0, left)) start(roomId, file, false);
  return files.length > left ? `A message carries at most ${MAX_PER_MESSAGE} files.` : null;
}

/** Uploads a voice recording and sends it to the room as a message of its own. */
export function addVoice(roomId, file) {
  start(roomId, file, true);
}

function start(roomId, file, voice) {
  const room = roomUploads(roomId);
  const u = { id: nextId++, name: file.name || 'file', size: file.size, sent: 0, status: 'uploading', error: null,
    attachment: null, voice, abort: () => {} };
  room.set(u.id, u);
  const max = state.config && state.config.max_upload_bytes;
  if (max && file.size > max) { // refused before a byte is sent
    failed(roomId, u, `too large: a file can have at most ${size(max)}`);
    return;
  }
  const upload = api.upload(file, (sent, total) => {
    u.sent = sent;
    if (total) u.size = total;
    announce('uploads', roomId);
  });
  u.abort = upload.abort;
  announce('uploads', roomId);
  upload.promise.then((attachment) => {
    if (room.get(u.id) !== u) return; // cancelled meanwhile
    u.status = 'done';
    u.sent = u.size;
    u.attachment = attachment;
    if (voice) {
      room.delete(u.id);
      send('', [attachment], roomId);
    }
    announce('uploads', roomId);
  }).catch((e) => {
    if (e.code !== 'ABORTED') failed(roomId, u, e.message);
  });
}

function failed(roomId, u, error) {
  u.status = 'failed';
  u.error = error;
  announce('uploads', roomId);
}

/** Cancels an upload on its way, or lets a finished or failed one go. */
export function cancel(roomId, id) {
  const room = byRoom.get(roomId);
  const u = room && room.get(id);
  if (!u) return;
  room.delete(id);
  u.abort();
  announce('uploads', roomId);
}

/** The finished uploads went with a message: the composer lets them go (failed ones stay, to be read). */
export function taken(roomId) {
  const room = byRoom.get(roomId);
  if (!room) return;
  for (const [id, u] of room) if (u.status === 'done' && !u.voice) room.delete(id);
  announce('uploads', roomId);
}
