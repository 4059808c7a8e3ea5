// What we wrote and the server does not have yet: each room's draft in the composer, and the sends
// that wait for the connection (pending ones, and those that failed because it dropped). Those are
// sent again by themselves, with the same client_msg_id (never stored twice), as soon as the
// socket is back and every room followed again ('socket.open', session.js); sends the server
// refused with a code (not verified, over the limit, too long…) wait for the user's Retry.
// Drafts and waiting sends are kept in sessionStorage, per user, so that they survive a reload
// of the tab (the verification link's, say); a refused send, told at once, is not kept. No DOM:
// views/room.js shows and keeps the drafts, views/messages.js the sends.
import * as session from './session.js';
import * as store from './state.js';

const { state } = store;

const KEY = 'parley.outbox.';

const drafts = new Map(); // room id -> text typed and not sent
let saved = null;         // what storage holds, as written (nothing is written twice)
let following = false;    // whether restore() ran (then changes are kept, and the connection watched)
let forgotten = false;    // signing out: nothing is kept any more

/** Whether a send goes by itself once connected: not sent yet, or cut off by the connection. */
function waitsForConnection(p) {
  return p.status === 'pending' || (p.status === 'failed' && p.code === 'DISCONNECTED');
}

/** A room's draft ('' when none). */
export function draft(roomId) {
  return drafts.get(roomId) || '';
}

/** The composer's text for a room, as typed (an empty one is dropped). */
export function keepDraft(roomId, text) {
  if (roomId === null || roomId === undefined) return;
  if (text) drafts.set(roomId, text);
  else drafts.delete(roomId);
  save();
}

function key() {
  const user = store.me();
  return user ? KEY + user.id : null;
}

function save() {
  const k = key();
  if (!k || forgotten) return;
  const sends = [];
  for (const [roomId, pending] of state.pending) {
    for (const [cmid, p] of pending) {
      if (waitsForConnection(p)) sends.push({ roomId, cmid, body: p.body, attachments: p.attachments });
    }
  }
  const text = JSON.stringify({ drafts: [...drafts], sends });
  if (text === saved) return;
  saved = text;
  try {
    sessionStorage.setItem(k, text);
  } catch (e) { /* storage off or full: kept in this page only */ }
}

/**
 * After the rooms are loaded (once a page): takes back what this tab kept (rooms we are no longer
 * in let go), and from now on keeps what changes. The sends show as pending and go once the
 * socket is connected.
 */
export function restore() {
  if (following) return;
  following = true;
  store.on('messages', save); // every change of the pending sends is announced as one of the messages
  store.on('socket.open', resend);
  const k = key();
  let kept = null;
  try {
    kept = k && JSON.parse(sessionStorage.getItem(k) || 'null');
  } catch (e) {
    kept = null;
  }
  for (const [roomId, text] of (kept && kept.drafts) || []) {
    if (state.rooms.has(roomId) && !drafts.has(roomId)) drafts.set(roomId, text);
  }
  for (const s of (kept && kept.sends) || []) {
    const known = state.pending.get(s.roomId);
    if (state.rooms.has(s.roomId) && !(known && known.has(s.cmid))) store.pendingAdded(s.roomId, s.cmid, s.body, s.attachments || []);
  }
  save();
}

/** The connection is back: what waits for it goes, in the order it was written. */
function resend() {
  for (const [roomId, pending] of state.pending) {
    if (!state.rooms.has(roomId)) continue;
    for (const [cmid, p] of pending) if (waitsForConnection(p)) session.sendPending(roomId, cmid);
  }
}

/** Forgets what this tab kept, whoever's it was (signing out). */
export function forget() {
  forgotten = true;
  drafts.clear();
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(KEY)) sessionStorage.removeItem(k);
  } catch (e) { /* storage off: nothing kept */ }
}
