// The client's store: what it knows of rooms, messages, members, presence, typing and the
// connection, and the one place where server events and replies change it. No DOM and no
// network: session.js feeds it, the views subscribe with on(topic, fn) and draw from `state`.
//
// Topics and their detail:
//   'rooms'        the room list changed (rooms, order, unread counts, presence dots)
//   'room'         another room was opened, or the open one closed (state.current)
//   'room.loaded'  the open room's members and latest messages are in (room id)
//   'messages'     a room's messages, pending sends or read markers changed ({roomId, toEnd})
//   'members'      a room's member list was loaded (room id); room-admin.js keeps it up to date
//   'room.event'   a stored room event was applied, once (the frame): room-admin.js follows owners and members
//   'presence'     someone came online or went offline, told in a room (room id)
//   'typing'       who is typing changed
//   'connection'   the WebSocket status changed (state.connection)
//   'error'        something failed that the user should read about (the error)
//   'billing*', 'uploads', 'me', 'search*', 'admin.*', 'account.disabled', 'session.ended', 'room.added', 'socket.open', 'message.new', 'notify'  by billing-state, uploads, profile, search, admin, session.js, notify

export const state = {
  config: null,          // GET /client-config
  connection: 'offline', // connecting | connected | reconnecting | offline
  rooms: new Map(),      // id -> room
  positions: new Map(),  // id -> last event seq applied (the stream position)
  messages: new Map(),   // id -> {byId: Map, oldestSeq, hasMore, loaded}
  pending: new Map(),    // id -> Map(client_msg_id -> {body, attachments, status: pending|failed|refused, error, code})
  unread: new Map(),     // id -> count of messages seen while the room was not open
  users: new Map(),      // user id -> username
  presence: new Map(),   // user id -> 'online' | 'offline'
  markers: new Map(),    // room id -> Map(user id -> last_read_seq)
  members: new Map(),    // room id -> members as last loaded
  typing: new Map(),     // room id -> Map(user id -> timeout handle)
  current: null,         // the open room's id
};

/** A typing `start` not followed by a `stop` ends after this (the server's stop may be lost). */
const TYPING_GUARD_MS = 8000;

// ---- subscriptions -------------------------------------------------------------------------

const listeners = new Map(); // topic -> [fn]

/** Calls fn(detail) after every change of this topic. */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, []);
  listeners.get(topic).push(fn);
}

function changed(topic, detail) {
  for (const fn of listeners.get(topic) || []) fn(detail);
}

/** For the store's other parts (billing-state.js): announces a change of their own topic. */
export { changed as announce };

// ---- who we are, and reading the state ----------------------------------------------------

let whoAmI = () => null;

/** How to learn the signed-in user (the API client's, renewed by every token refresh). */
export function setIdentity(fn) { whoAmI = fn; }

/** The signed-in user, or null. */
export function me() { return whoAmI(); }

export function isMine(userId) {
  const user = me();
  return user && userId === user.id;
}

export function roomTitle(room) {
  if (room.kind === 'direct') return room.peer ? `@${room.peer.username}` : 'Conversation';
  return room.name;
}

export function nameOf(userId) {
  if (userId === null || userId === undefined) return 'deleted user';
  const user = me();
  if (user && userId === user.id) return user.username;
  return state.users.get(userId) || `user #${userId}`;
}

/** The rooms, newest activity first. */
export function roomsByActivity() {
  return [...state.rooms.values()].sort((a, b) =>
    (b.last_event_at || b.created_at).localeCompare(a.last_event_at || a.created_at) || b.id - a.id);
}

/** The people we have a conversation with (at most 100: one presence query). */
export function peerIds() {
  return [...new Set([...state.rooms.values()].filter((r) => r.peer).map((r) => r.peer.id))].slice(0, 100);
}

/** A room's loaded messages (created empty on first use). */
export function messagesOf(id) {
  if (!state.messages.has(id)) state.messages.set(id, { byId: new Map(), oldestSeq: null, hasMore: true, loaded: false });
  return state.messages.get(id);
}

/** Whether someone other than the author has read up to this message. */
export function readByOthers(m) {
  const markers = state.markers.get(m.room_id);
  if (!markers) return false;
  for (const [userId, seq] of markers) {
    if (userId !== m.author_id && seq >= m.seq) return true;
  }
  return false;
}

/** The names of those typing in a room. */
export function typistNames(roomId) {
  return roomId && state.typing.get(roomId) ? [...state.typing.get(roomId).keys()].map(nameOf) : [];
}

// ---- loaded over HTTP ----------------------------------------------------------------------

export function configLoaded(config) { state.config = config; }

/** Rooms we learned of (the list, one we joined or created, one a notification told of). */
export function roomsLoaded(rooms) {
  for (const room of rooms) addRoom(room);
  changed('rooms');
}

function addRoom(room) {
  state.rooms.set(room.id, room);
  if (room.peer) state.users.set(room.peer.id, room.peer.username);
  if (typeof room.unread_count === 'number' && room.id !== state.current) state.unread.set(room.id, room.unread_count);
}

export function presenceLoaded(items) {
  for (const p of items) state.presence.set(p.user_id, p.status);
  changed('rooms');
}

export function membersLoaded(roomId, items) {
  const markers = new Map();
  for (const m of items) {
    state.users.set(m.user_id, m.username);
    markers.set(m.user_id, m.last_read_seq);
    if (m.online !== null && m.online !== undefined) state.presence.set(m.user_id, m.online ? 'online' : 'offline');
  }
  state.markers.set(roomId, markers);
  state.members.set(roomId, items);
  changed('members', roomId);
}

/** The newest page of a room's history. Redraws nothing: its callers do once they are done. */
export function latestLoaded(roomId, page) {
  const store = messagesOf(roomId);
  storeMessages(roomId, page.items);
  store.hasMore = page.has_more;
  store.loaded = true;
  if (!state.positions.has(roomId)) state.positions.set(roomId, page.last_seq);
}

export function olderLoaded(roomId, page) {
  storeMessages(roomId, page.items);
  messagesOf(roomId).hasMore = page.has_more;
  changed('messages', { roomId });
}

function storeMessages(roomId, items) {
  const store = messagesOf(roomId);
  for (const m of items) {
    store.byId.set(m.id, m);
    if (store.oldestSeq === null || m.seq < store.oldestSeq) store.oldestSeq = m.seq;
  }
}

// ---- the open room -------------------------------------------------------------------------

export function roomOpened(roomId) {
  state.current = roomId;
  state.unread.delete(roomId);
  changed('room');
  changed('rooms');
}

/** The open room's members and latest messages are in (or failed to load): show its end. */
export function roomLoaded(roomId) {
  changed('messages', { roomId, toEnd: true });
  changed('typing');
  changed('room.loaded', roomId);
}

/** A room we left, or that was deleted, or that we were removed from. */
export function dropRoom(roomId) {
  state.rooms.delete(roomId);
  state.positions.delete(roomId);
  state.messages.delete(roomId);
  if (state.current === roomId) {
    state.current = null;
    changed('room');
  }
  changed('rooms');
}

/** Before a room's history is reloaded (resync_required): forget what we had of it. */
export function resyncStarted(roomId) {
  state.messages.delete(roomId);
  state.positions.delete(roomId);
}

export function resynced(roomId) {
  changed('messages', { roomId, toEnd: true });
}

// ---- replies on the WebSocket --------------------------------------------------------------

/** `subscribed`: where the room's stream starts, unless we already follow it. */
export function positionKnown(roomId, seq) {
  if (!state.positions.has(roomId)) state.positions.set(roomId, seq);
}

/** `read.ack`: our own read marker moved. */
export function readAcked(roomId, lastReadSeq) {
  if (!state.markers.has(roomId)) state.markers.set(roomId, new Map());
  state.markers.get(roomId).set(me().id, lastReadSeq);
  state.unread.delete(roomId);
  changed('rooms');
}

/** A reply carrying a message we edited or deleted. */
export function messageReplied(m) {
  applyMessage(m);
  changed('messages', { roomId: m.room_id });
}

/** A notification about a room we do not follow here: its unread count. */
export function notified(roomId, unreadCount) {
  if (roomId !== state.current) state.unread.set(roomId, unreadCount);
  changed('rooms');
}

export function connectionChanged(status) {
  state.connection = status;
  changed('connection');
}

export function reportError(err) {
  changed('error', err);
}

// ---- pending sends -------------------------------------------------------------------------

function pendingOf(roomId, cmid) {
  return state.pending.get(roomId) && state.pending.get(roomId).get(cmid);
}

export function pendingAdded(roomId, cmid, body, attachments = []) {
  if (!state.pending.has(roomId)) state.pending.set(roomId, new Map());
  state.pending.get(roomId).set(cmid, { body, attachments, status: 'pending', error: null });
  changed('messages', { roomId, toEnd: true });
}

/** A pending message is (re)sent: answers it, or null when it is not pending any more. */
export function pendingSending(roomId, cmid) {
  const p = pendingOf(roomId, cmid);
  if (!p) return null;
  Object.assign(p, { status: 'pending', error: null, code: null });
  changed('messages', { roomId, toEnd: true });
  return p;
}

/** The send was refused or the connection dropped (the error frame says which). */
export function pendingFailed(roomId, cmid, error) {
  const p = pendingOf(roomId, cmid);
  if (!p) return; // the message arrived meanwhile (e.g. replayed after reconnect)
  if (error.code === 'RATE_LIMITED') { // sent again by itself after retry_after_ms (session.js); no toast
    p.status = 'pending';
    changed('messages', { roomId });
    return;
  }
  if (error.code === 'MESSAGE_LIMIT_EXCEEDED') { // the banner explains it (billing-state.js); no toast
    p.status = 'refused';
    p.error = 'daily message limit reached';
    changed('messages', { roomId });
    return;
  }
  p.status = 'failed'; // DISCONNECTED: sent again by itself once reconnected (outbox.js); other codes wait for Retry
  Object.assign(p, { code: error.code, error: error.code === 'DISCONNECTED' ? 'connection lost, sent again once reconnected' : (error.message || error.code) });
  if (error.code !== 'DISCONNECTED') reportError(error);
  changed('messages', { roomId });
}

/** `message.ack`: a pending message became a stored one. */
export function settled(roomId, cmid, message) {
  const pending = state.pending.get(roomId);
  if (pending) pending.delete(cmid);
  applyMessage(message);
  changed('messages', { roomId, toEnd: true });
}

function applyMessage(m) {
  if (!state.rooms.has(m.room_id)) return;
  const store = messagesOf(m.room_id);
  const known = store.byId.get(m.id);
  if (!known || m.seq >= known.seq) store.byId.set(m.id, m);
  if (store.oldestSeq === null || m.seq < store.oldestSeq) store.oldestSeq = m.seq;
}

// ---- live events ---------------------------------------------------------------------------

/**
 * Applies one event frame (`notification` and `resync_required` need the network: session.js
 * handles them). Answers true when it brought someone else's message into the open room, which
 * is then to be marked read.
 */
export function applyEvent(frame) {
  switch (frame.type) {
    case 'presence': return applyPresence(frame);
    case 'typing': return applyTyping(frame);
    case 'read': return applyRead(frame);
    case 'unsubscribed': // with a reason: removed from the room, or it was deleted
      if (frame.reason) dropRoom(frame.room_id);
      return false;
    default: return applyRoomEvent(frame);
  }
}

function applyPresence(frame) {
  state.presence.set(frame.user_id, frame.status);
  changed('rooms');
  changed('presence', frame.room_id);
}

function applyTyping(frame) {
  if (!state.typing.has(frame.room_id)) state.typing.set(frame.room_id, new Map());
  const typists = state.typing.get(frame.room_id);
  clearTimeout(typists.get(frame.user_id));
  if (frame.state === 'start') {
    // the server sends stop; this only guards against a lost one
    typists.set(frame.user_id, setTimeout(() => { typists.delete(frame.user_id); changed('typing'); }, TYPING_GUARD_MS));
  } else {
    typists.delete(frame.user_id);
  }
  changed('typing');
}

function applyRead(frame) {
  if (!state.markers.has(frame.room_id)) state.markers.set(frame.room_id, new Map());
  state.markers.get(frame.room_id).set(frame.user_id, frame.last_read_seq);
  changed('messages', { roomId: frame.room_id });
}

/** Stored room events, each applied once, in seq order (replays may repeat some). */
function applyRoomEvent(frame) {
  const roomId = frame.room_id;
  if (typeof frame.seq !== 'number' || !state.rooms.has(roomId)) return false;
  const position = state.positions.get(roomId);
  if (position !== undefined && frame.seq <= position) return false; // already applied
  state.positions.set(roomId, frame.seq);
  const room = state.rooms.get(roomId);
  room.last_seq = frame.seq;
  const apply = ROOM_EVENTS[frame.type];
  const news = apply ? apply(frame, room) : false;
  changed('messages', { roomId });
  changed('room.event', frame);
  return news === true;
}

const ROOM_EVENTS = {
  'message.created': messageCreated,
  'message.updated': (frame) => applyMessage(frame.message),
  'message.deleted': (frame) => applyMessage(frame.message),
  'member.joined': (frame, room) => {
    state.users.set(frame.member.user_id, frame.member.username);
    room.member_count += 1;
  },
  'member.left': (frame, room) => {
    room.member_count = Math.max(0, room.member_count - 1);
    if (isMine(frame.user_id)) dropRoom(room.id);
  },
  'room.updated': (frame, room) => {
    Object.assign(room, { name: frame.room.name, description: frame.room.description, is_private: frame.room.is_private });
    changed('rooms');
  },
  'room.deleted': (frame, room) => dropRoom(room.id),
};

function messageCreated(frame, room) {
  const m = frame.message;
  room.last_event_at = m.created_at;
  const mine = isMine(m.author_id);
  const pending = state.pending.get(room.id);
  if (mine && pending && pending.has(m.client_msg_id)) pending.delete(m.client_msg_id);
  applyMessage(m);
  if (room.id !== state.current && !mine) state.unread.set(room.id, (state.unread.get(room.id) || 0) + 1);
  stopTyping(room.id, m.author_id); // the message ends its author's typing
  changed('rooms');
  return room.id === state.current && !mine;
}

function stopTyping(roomId, userId) {
  const typists = state.typing.get(roomId);
  if (!typists || !typists.has(userId)) return;
  clearTimeout(typists.get(userId));
  typists.delete(userId);
  changed('typing');
}
