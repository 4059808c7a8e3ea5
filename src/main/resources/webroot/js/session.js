// The signed-in session's traffic with the server: the one ApiClient (HTTP) and the one
// ChatSocket (WebSocket). Loads rooms, members, history and presence; subscribes, sends, edits,
// deletes, marks read and says who is typing; hands every answer and live event to the store
// (state.js). No DOM: the views draw what the store announces.
import { ApiClient } from './api.js';
import * as assistantStore from './assistant-state.js';
import * as billingStore from './billing-state.js';
import { deletedByMe, keepDeleter } from './moderation.js';
import * as notify from './notify.js';
import { ChatSocket } from './socket.js';
import * as store from './state.js';

const { state } = store;

export const api = new ApiClient();
let socket = null;

export async function loadConfig() {
  store.configLoaded(await api.request('GET', '/client-config', undefined, { auth: false }));
}

// ---- rooms ---------------------------------------------------------------------------------

export async function loadRooms() {
  const rooms = [];
  let cursor = null;
  do {
    const page = await api.get(`/rooms?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rooms.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  store.roomsLoaded(rooms);
}

/** Asks who of the conversation peers is online (later changes arrive as presence events). */
export async function loadPresence() {
  const ids = store.peerIds();
  if (!ids.length) return;
  try {
    const answer = await api.get(`/presence?user_ids=${ids.join(',')}`);
    store.presenceLoaded(answer.items);
  } catch (e) {
    // presence is optional (no Redis): no dots
  }
}

/** Opens a room: its members, then its latest messages unless already loaded, then read. */
export async function openRoom(id) {
  store.roomOpened(id);
  try {
    await loadMembers(id);
    if (!store.messagesOf(id).loaded) await loadLatest(id);
  } catch (e) {
    store.reportError(e);
  }
  store.roomLoaded(id);
  markRead();
}

/** Closes the open room (the bare address): none is shown. */
export function closeRoom() {
  store.roomOpened(null);
}

/** A room we just joined, created or started: listed, followed, opened. */
export async function enterRoom(room) {
  store.roomsLoaded([room]);
  if (socket && socket.isOpen()) await subscribe(room.id);
  await openRoom(room.id);
}

export async function loadMembers(id) {
  const page = await api.get(`/rooms/${id}/members?limit=500`);
  store.membersLoaded(id, page.items);
}

async function loadLatest(id) {
  store.latestLoaded(id, await api.get(`/rooms/${id}/messages?limit=50`));
}

let loadingOlder = false;
/** Loads the page before the oldest loaded message; answers whether one came. */
export async function loadOlder(id) {
  const messages = id && store.messagesOf(id);
  if (!messages || !messages.hasMore || loadingOlder || messages.oldestSeq === null) return false;
  loadingOlder = true;
  try {
    store.olderLoaded(id, await api.get(`/rooms/${id}/messages?limit=50&before_seq=${messages.oldestSeq}`));
    return true;
  } catch (e) {
    store.reportError(e);
    return false;
  } finally {
    loadingOlder = false;
  }
}

// ---- reading and typing --------------------------------------------------------------------

let readTimer = null;
/** Moves our read marker to the newest message of the open room (debounced). */
export function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const id = state.current;
    if (!id || document.hidden || !socket || !socket.isOpen()) return;
    const seqs = [...store.messagesOf(id).byId.values()].map((m) => m.seq);
    if (!seqs.length) return;
    const newest = Math.max(...seqs);
    const mine = state.markers.get(id) && state.markers.get(id).get(store.me().id);
    if (mine !== undefined && mine >= newest) return;
    socket.request({ type: 'read', room_id: id, seq: newest })
      .then((ack) => store.readAcked(id, ack.last_read_seq))
      .catch(() => {});
  }, 300);
}

let typingSentAt = 0;
/** Tells the open room we type (at most every 2 s), or stopped (the draft is empty). */
export function typingInput(value) {
  const id = state.current;
  if (!id || !socket || !socket.isOpen()) return;
  if (value.trim() && Date.now() - typingSentAt > 2000) {
    typingSentAt = Date.now();
    socket.send({ type: 'typing', room_id: id, state: 'start' });
  } else if (!value.trim() && typingSentAt) {
    typingSentAt = 0;
    socket.send({ type: 'typing', room_id: id, state: 'stop' });
  }
}

// ---- sending, editing, deleting ------------------------------------------------------------

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID()
    : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
      const r = (Math.random() * 16) | 0; return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
    });
}

/**
 * Sends a text and/or uploaded attachments to a room (the open one unless said): shown at once as
 * pending, under a client_msg_id of its own.
 */
export function send(body, attachments = [], roomId = state.current) {
  if (!roomId) return;
  const cmid = uuid();
  store.pendingAdded(roomId, cmid, body, attachments);
  sendPending(roomId, cmid);
}

/** Sends (or retries, with the same client_msg_id: never stored twice) a pending message. */
export async function sendPending(roomId, cmid) {
  const p = store.pendingSending(roomId, cmid);
  if (!p) return;
  try {
    const frame = { type: 'message.send', room_id: roomId, client_msg_id: cmid };
    if (p.body || !p.attachments.length) frame.body = p.body; // with attachments, the text may be left out
    if (p.attachments.length) frame.attachment_ids = p.attachments.map((a) => a.id);
    const ack = await socket.request(frame);
    store.settled(roomId, cmid, ack.message);
    if (!ack.duplicate) billingStore.ownSendStored(); // one more today (a retry's original counted once)
  } catch (e) {
    store.pendingFailed(roomId, cmid, e);
    if (e.code === 'MESSAGE_LIMIT_EXCEEDED') billingStore.sendRefused(e); // explained, never retried by itself
    if (e.code === 'RATE_LIMITED' || e.code === 'OVERLOADED') { // too fast, or the server is behind: the same
      // client_msg_id again when the server says (spread out a little, so refused clients do not all come back at once)
      const wait = Math.max(100, Number(e.details && e.details.retry_after_ms) || 1000);
      setTimeout(() => sendPending(roomId, cmid), e.code === 'OVERLOADED' ? wait * (1 + Math.random() / 2) : wait);
    }
  }
}

/** Rejects with the error frame when refused. */
export async function editMessage(messageId, body) {
  const ack = await socket.request({ type: 'message.edit', message_id: messageId, body });
  store.messageReplied(ack.message);
}

/** Rejects with the error frame when refused. */
export async function deleteMessage(messageId) {
  const ack = await socket.request({ type: 'message.delete', message_id: messageId });
  store.messageReplied(deletedByMe(ack.message)); // a moderator's removal of someone else's says so
}

// ---- the WebSocket -------------------------------------------------------------------------

function subscribe(roomId) {
  const since = state.positions.get(roomId);
  const frame = { type: 'subscribe', room_id: roomId };
  if (since !== undefined) frame.since_seq = since;
  return socket.request(frame)
    .then((reply) => store.positionKnown(roomId, reply.last_seq))
    .catch((e) => { if (e.code !== 'DISCONNECTED') store.reportError(e); });
}

function onEvent(frame) {
  if (frame.type === 'notification') {
    onNotification(frame);
    return;
  }
  if (frame.type === 'resync_required') {
    resync(frame.room_id);
    return;
  }
  if (frame.type === 'membership.added') {
    onAdded(frame);
    return;
  }
  if (assistantStore.applyEvent(frame)) return; // a reply being written, or a refusal to answer
  keepDeleter(frame); // who removed a message (the author, or a moderator): kept with it
  const news = frame.type === 'message.created' && !(state.positions.get(frame.room_id) >= frame.seq); // not a replay of one applied
  if (store.applyEvent(frame)) markRead();
  if (news && state.rooms.has(frame.room_id)) {
    notify.messageArrived(frame.message);
    store.announce('message.new', frame.message); // views/announcer.js reads it out in the open room
  }
}

/** A message in a room we did not know (added to it, or a new conversation): list and follow it. */
async function onNotification(frame) {
  if (!state.rooms.has(frame.room_id)) {
    try {
      const room = await api.get(`/rooms/${frame.room_id}`);
      store.roomsLoaded([room]);
      await subscribe(room.id);
      loadPresence();
    } catch (e) {
      return;
    }
  }
  store.notified(frame.room_id, frame.unread_count);
  if (frame.message) notify.messageArrived({ ...frame.message, body: frame.message.preview, room_id: frame.room_id });
}

/** Someone added us to a room (membership.added, on every socket of ours): listed, followed, and said so. */
async function onAdded(frame) {
  const known = state.rooms.has(frame.room_id);
  store.roomsLoaded([frame.room]);
  store.announce('room.added', { room: frame.room, by: frame.added_by });
  if (!known) {
    await subscribe(frame.room_id);
    loadPresence();
  }
}

/** The server cannot replay what we missed in a room: reload its latest page. */
async function resync(roomId) {
  store.resyncStarted(roomId);
  try {
    await loadLatest(roomId);
  } catch (e) {
    store.reportError(e);
  }
  store.resynced(roomId);
}

function wsUrl() {
  if (state.config.ws_url) return state.config.ws_url;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.hostname}:${state.config.gateway_port}/ws`;
}

/** Connects (again, after a drop) and follows every known room from where we are. */
export function startSocket() {
  if (socket) socket.stop();
  socket = new ChatSocket(wsUrl, async (forceRefresh) => {
    if (forceRefresh || !api.accessToken) await api.refresh();
    return api.accessToken;
  }, {
    status: (s) => {
      if (s !== 'connected') assistantStore.connectionLost();
      store.connectionChanged(s);
    },
    open: () => { // every room followed again from where we were; then what waits for the connection goes (outbox.js)
      Promise.all([...state.rooms.keys()].map(subscribe)).then(() => store.announce('socket.open'));
    },
    event: onEvent,
    closed: () => {},
    disabled: () => store.announce('account.disabled'), // close 4403: app.js logs out
    ended: () => store.announce('session.ended'), // close 4410 (a new password): app.js logs out
  });
  socket.start();
}

/** Sends a frame on the WebSocket: resolves with the reply, rejects with the error frame. */
export function request(frame) {
  if (!socket) return Promise.reject({ type: 'error', code: 'DISCONNECTED', message: 'not connected' });
  return socket.request(frame);
}

export function stopSocket() {
  if (socket) socket.stop();
}

/** Whether the chat was started in this page (the socket may be reconnecting). */
export function started() {
  return socket !== null;
}
