// Parley's web client: plain ES modules, no build step. Everything a user typed or another user
// wrote is rendered with textContent, never as HTML.
import { ApiClient, ApiError } from './api.js';
import { ChatSocket } from './socket.js';

const api = new ApiClient();
const $ = (sel) => document.querySelector(sel);

const state = {
  config: null,
  rooms: new Map(),      // id -> room
  positions: new Map(),  // id -> last event seq applied (the stream position)
  rooms_messages: new Map(), // id -> {byId: Map, oldestSeq, hasMore, loaded}
  pending: new Map(),    // id -> Map(client_msg_id -> {body, status, error})
  unread: new Map(),     // id -> count of messages seen while the room was not open
  users: new Map(),      // user id -> username
  presence: new Map(),   // user id -> 'online' | 'offline'
  markers: new Map(),    // room id -> Map(user id -> last_read_seq)
  typing: new Map(),     // room id -> Map(user id -> timeout handle)
  current: null,
};
let socket = null;

// ---- small helpers -------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

let toastTimer = null;
function showError(err) {
  const msg = err instanceof ApiError || err instanceof Error ? err.message
    : (err && (err.message || err.detail)) || String(err);
  const toast = $('#toast');
  toast.textContent = msg;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 8000);
}

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID()
    : 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
      const r = (Math.random() * 16) | 0; return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
    });
}

function roomTitle(room) {
  if (room.kind === 'direct') return room.peer ? `@${room.peer.username}` : 'Conversation';
  return room.name;
}

function nameOf(userId) {
  if (userId === null || userId === undefined) return 'deleted user';
  if (api.user && userId === api.user.id) return api.user.username;
  return state.users.get(userId) || `user #${userId}`;
}

function time(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// ---- views ---------------------------------------------------------------------------------

function showOnly(id) {
  for (const view of ['auth-view', 'chat-view', 'mailbox-view', 'token-view']) {
    document.getElementById(view).hidden = view !== id;
  }
}

function showAuth() {
  showOnly('auth-view');
  // always the log-in form first (not a sign-up or forgot form left open earlier)
  for (const id of ['login-form', 'signup-form', 'forgot-form']) document.getElementById(id).hidden = id !== 'login-form';
}

let noticeTimer = null;
function showNotice(text) {
  const notice = $('#notice');
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, 10000);
}

const TOKEN_REASONS = {
  TOKEN_USED: 'this link was already used',
  TOKEN_EXPIRED: 'this link has expired; ask for a new one',
  TOKEN_INVALID: 'this link is not valid',
};

/** Reads what the page was opened for: a mailed link (#reset, #invite), the mailbox, a verification result. */
function route() {
  const params = new URLSearchParams(location.search);
  if (params.has('email_verified')) {
    if (params.get('email_verified') === '1') showNotice('Your e-mail address is verified. You can send messages now.');
    else showError(`E-mail not verified: ${TOKEN_REASONS[params.get('reason')] || params.get('reason')}`);
    history.replaceState(null, '', '/');
  }
  const hash = location.hash.replace(/^#/, '');
  const [name, query] = hash.split('?');
  if (name === 'mailbox') return { view: 'mailbox' };
  if (name === 'reset' || name === 'invite') return { view: 'token', kind: name, token: new URLSearchParams(query).get('token') };
  return { view: 'app' };
}

async function showMailbox() {
  showOnly('mailbox-view');
  const list = $('#mailbox');
  list.replaceChildren();
  try {
    const box = await api.request('GET', '/dev/mailbox', undefined, { auth: false });
    for (const mail of box.items) {
      list.append(el('li', { 'data-testid': 'mail' },
        el('div', {}, el('strong', {}, mail.subject)),
        el('small', {}, `to ${mail.to} · ${mail.received_at ? new Date(mail.received_at).toLocaleString() : ''}`),
        el('pre', {}, ...linkify(mail.text))));
    }
    if (!box.items.length) list.append(el('li', { class: 'empty' }, 'No mail yet.'));
  } catch (e) {
    showError(e);
  }
}

/** Text with its http(s) links as anchors; everything stays text, only the href is set. */
function linkify(text) {
  const parts = [];
  const re = /https?:\/\/[^\s<>"]+/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    parts.push(text.slice(last, m.index));
    parts.push(el('a', { href: m[0], 'data-testid': 'mail-link' }, m[0]));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function showTokenForm(kind, token) {
  showOnly('token-view');
  $('#token-title').textContent = kind === 'invite' ? 'Welcome! Choose your password' : 'Choose a new password';
  const form = $('#token-form');
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      await api.request('POST', '/auth/password/reset', { token, new_password: new FormData(form).get('new_password') }, { auth: false });
      form.reset();
      history.replaceState(null, '', '/');
      showNotice('Your password is set. Log in with it now.');
      showAuth();
    } catch (err) {
      showError(err.code && TOKEN_REASONS[err.code] ? `This link cannot be used: ${TOKEN_REASONS[err.code]}` : err);
    }
  };
}

async function showChat() {
  showOnly('chat-view');
  $('#me-name').textContent = api.user.username;
  $('#me-email').textContent = api.user.email || '';
  $('#verify-banner').hidden = api.user.email_verified !== false;
  await loadRooms();
  loadPresence();
  startSocket();
}

async function loadRooms() {
  let cursor = null;
  do {
    const page = await api.get(`/rooms?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const r of page.items) addRoom(r);
    cursor = page.next_cursor;
  } while (cursor);
  renderRooms();
}

function addRoom(room) {
  state.rooms.set(room.id, room);
  if (room.peer) state.users.set(room.peer.id, room.peer.username);
  if (typeof room.unread_count === 'number' && room.id !== state.current) state.unread.set(room.id, room.unread_count);
}

/** Asks who of the conversation peers is online (later changes arrive as presence events). */
async function loadPresence() {
  const ids = [...new Set([...state.rooms.values()].filter((r) => r.peer).map((r) => r.peer.id))].slice(0, 100);
  if (!ids.length) return;
  try {
    const answer = await api.get(`/presence?user_ids=${ids.join(',')}`);
    for (const p of answer.items) state.presence.set(p.user_id, p.status);
    renderRooms();
  } catch (e) {
    // presence is optional (no Redis): no dots
  }
}

function dot(userId) {
  const online = state.presence.get(userId) === 'online';
  return el('span', { class: `dot${online ? ' online' : ''}`, 'data-testid': 'presence-dot',
    'data-online': online ? 'true' : 'false', title: online ? 'online' : 'offline' });
}

function renderRooms() {
  const list = $('#room-list');
  list.replaceChildren();
  const rooms = [...state.rooms.values()].sort((a, b) =>
    (b.last_event_at || b.created_at).localeCompare(a.last_event_at || a.created_at) || b.id - a.id);
  for (const room of rooms) {
    const unread = state.unread.get(room.id) || 0;
    list.append(el('li', { class: room.id === state.current ? 'active' : null },
      el('button', { type: 'button', dataset: { roomId: room.id, testid: 'room-item' }, onclick: () => openRoom(room.id) },
        el('span', { class: 'room-title' }, room.peer ? dot(room.peer.id) : null,
          roomTitle(room), room.is_private && room.kind === 'group' ? ' 🔒' : ''),
        unread ? el('span', { class: 'badge', 'data-testid': 'unread' }, unread) : null)));
  }
}

// ---- rooms ---------------------------------------------------------------------------------

async function openRoom(id) {
  state.current = id;
  state.unread.delete(id);
  document.body.classList.add('in-room');
  const room = state.rooms.get(id);
  $('#room-name').textContent = roomTitle(room);
  $('#room-info').textContent = room.kind === 'direct' ? 'conversation'
    : `${room.is_private ? 'private' : 'public'} · ${room.member_count} member${room.member_count === 1 ? '' : 's'}`;
  $('#composer').hidden = false;
  $('#members-toggle').hidden = room.kind !== 'group';
  $('#leave-room').hidden = room.kind !== 'group' || room.role === 'owner';
  $('#add-member-form').hidden = !(room.role === 'owner' && room.is_private);
  $('#members-panel').hidden = true;
  renderRooms();
  renderMessages();
  try {
    await loadMembers(id);
    if (!messagesOf(id).loaded) await loadLatest(id);
  } catch (e) {
    showError(e);
  }
  renderMessages(true);
  renderTyping();
  markRead();
  $('#composer textarea').focus();
}

async function loadMembers(id) {
  const page = await api.get(`/rooms/${id}/members?limit=500`);
  const markers = new Map();
  for (const m of page.items) {
    state.users.set(m.user_id, m.username);
    markers.set(m.user_id, m.last_read_seq);
    if (m.online !== null && m.online !== undefined) state.presence.set(m.user_id, m.online ? 'online' : 'offline');
  }
  state.markers.set(id, markers);
  renderMembers(page.items);
}

function renderMembers(items) {
  const list = $('#member-list');
  list.replaceChildren(...items.map((m) => el('li', { dataset: { userId: m.user_id } },
    el('span', {}, dot(m.user_id), m.username, m.role === 'owner' ? ' (owner)' : ''))));
}

/** Whether someone other than the author has read up to this message. */
function readByOthers(m) {
  const markers = state.markers.get(m.room_id);
  if (!markers) return false;
  for (const [userId, seq] of markers) {
    if (userId !== m.author_id && seq >= m.seq) return true;
  }
  return false;
}

let readTimer = null;
/** Moves our read marker to the newest message of the open room (debounced). */
function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const id = state.current;
    if (!id || document.hidden || !socket || !socket.isOpen()) return;
    const seqs = [...messagesOf(id).byId.values()].map((m) => m.seq);
    if (!seqs.length) return;
    const newest = Math.max(...seqs);
    const mine = state.markers.get(id) && state.markers.get(id).get(api.user.id);
    if (mine !== undefined && mine >= newest) return;
    socket.request({ type: 'read', room_id: id, seq: newest }).then((ack) => {
      if (!state.markers.has(id)) state.markers.set(id, new Map());
      state.markers.get(id).set(api.user.id, ack.last_read_seq);
      state.unread.delete(id);
      renderRooms();
    }).catch(() => {});
  }, 300);
}

function renderTyping() {
  const id = state.current;
  const who = id && state.typing.get(id) ? [...state.typing.get(id).keys()].map(nameOf) : [];
  $('#typing').textContent = who.length === 0 ? ''
    : who.length === 1 ? `${who[0]} is typing…` : `${who.join(', ')} are typing…`;
}

function onTyping(frame) {
  if (!state.typing.has(frame.room_id)) state.typing.set(frame.room_id, new Map());
  const typists = state.typing.get(frame.room_id);
  clearTimeout(typists.get(frame.user_id));
  if (frame.state === 'start') {
    // the server sends stop; this only guards against a lost one
    typists.set(frame.user_id, setTimeout(() => { typists.delete(frame.user_id); renderTyping(); }, 8000));
  } else {
    typists.delete(frame.user_id);
  }
  renderTyping();
}

let typingSentAt = 0;
function typingInput(value) {
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

/** A message in a room we did not know (added to it, or a new conversation): list and follow it. */
async function onNotification(frame) {
  if (!state.rooms.has(frame.room_id)) {
    try {
      const room = await api.get(`/rooms/${frame.room_id}`);
      addRoom(room);
      await subscribe(room.id);
      loadPresence();
    } catch (e) {
      return;
    }
  }
  if (frame.room_id !== state.current) state.unread.set(frame.room_id, frame.unread_count);
  renderRooms();
}

function messagesOf(id) {
  if (!state.rooms_messages.has(id)) state.rooms_messages.set(id, { byId: new Map(), oldestSeq: null, hasMore: true, loaded: false });
  return state.rooms_messages.get(id);
}

function storeMessages(id, items) {
  const store = messagesOf(id);
  for (const m of items) {
    store.byId.set(m.id, m);
    if (store.oldestSeq === null || m.seq < store.oldestSeq) store.oldestSeq = m.seq;
  }
}

async function loadLatest(id) {
  const page = await api.get(`/rooms/${id}/messages?limit=50`);
  const store = messagesOf(id);
  storeMessages(id, page.items);
  store.hasMore = page.has_more;
  store.loaded = true;
  if (!state.positions.has(id)) state.positions.set(id, page.last_seq);
}

let loadingOlder = false;
async function loadOlder() {
  const id = state.current;
  const store = id && messagesOf(id);
  if (!store || !store.hasMore || loadingOlder || store.oldestSeq === null) return;
  loadingOlder = true;
  const list = $('#messages');
  const fromBottom = list.scrollHeight - list.scrollTop;
  try {
    const page = await api.get(`/rooms/${id}/messages?limit=50&before_seq=${store.oldestSeq}`);
    storeMessages(id, page.items);
    store.hasMore = page.has_more;
    if (state.current === id) {
      renderMessages();
      list.scrollTop = list.scrollHeight - fromBottom;
    }
  } catch (e) {
    showError(e);
  } finally {
    loadingOlder = false;
  }
}

function renderMessages(scrollToEnd = false) {
  const list = $('#messages');
  const id = state.current;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  if (!id) return;
  const store = messagesOf(id);
  if (store.loaded && !store.hasMore) list.append(el('li', { class: 'start' }, 'This is the beginning of the room.'));
  const items = [...store.byId.values()].sort((a, b) => a.seq - b.seq);
  for (const m of items) list.append(renderMessage(m));
  const pending = state.pending.get(id);
  if (pending) {
    for (const [cmid, p] of pending) list.append(renderPending(id, cmid, p));
  }
  if (scrollToEnd || atBottom) list.scrollTop = list.scrollHeight;
  const draft = list.querySelector('[data-testid=edit-input]');
  if (draft) { // the list was rebuilt under the editor: keep typing where it was
    draft.focus();
    draft.setSelectionRange(draft.value.length, draft.value.length);
  }
}

function renderMessage(m) {
  const mine = api.user && m.author_id === api.user.id;
  const body = m.deleted
    ? el('p', { class: 'body deleted' }, 'message deleted')
    : editing && editing.id === m.id ? editor(m)
      : el('p', { class: 'body', 'data-testid': 'message-body' }, m.body);
  const li = el('li', { class: `message${mine ? ' mine' : ''}`, dataset: { seq: m.seq, id: m.id, testid: 'message' } },
    el('div', { class: 'meta' },
      el('strong', {}, nameOf(m.author_id)), ' ', el('time', { datetime: m.created_at }, time(m.created_at)),
      m.edited_at && !m.deleted ? el('span', { class: 'edited', 'data-testid': 'edited' }, ' (edited)') : null,
      mine && !m.deleted ? (readByOthers(m)
        ? el('span', { class: 'state read', 'data-testid': 'message-state' }, ' ✓✓ read')
        : el('span', { class: 'state sent', 'data-testid': 'message-state' }, ' ✓ sent')) : null),
    body);
  if (mine && !m.deleted) {
    li.append(el('div', { class: 'tools' },
      el('button', { type: 'button', 'data-testid': 'edit', onclick: () => startEdit(m) }, 'Edit'),
      el('button', { type: 'button', 'data-testid': 'delete', onclick: () => deleteMessage(m) }, 'Delete')));
  }
  return li;
}

function renderPending(roomId, cmid, p) {
  return el('li', { class: `message mine ${p.status}`, dataset: { clientMsgId: cmid, testid: 'pending' } },
    el('div', { class: 'meta' }, el('strong', {}, api.user.username),
      el('span', { class: `state ${p.status}`, 'data-testid': 'message-state' },
        p.status === 'failed' ? ` ✗ not sent: ${p.error}` : ' … sending')),
    el('p', { class: 'body', 'data-testid': 'message-body' }, p.body),
    p.status === 'failed'
      ? el('div', { class: 'tools' }, el('button', { type: 'button', 'data-testid': 'retry', onclick: () => sendPending(roomId, cmid) }, 'Retry'))
      : null);
}

/** The message being edited in place, with its draft: kept across re-renders (live events). */
let editing = null;

function startEdit(m) {
  editing = { id: m.id, draft: m.body };
  renderMessages();
}

function editor(m) {
  const input = el('textarea', { class: 'edit', rows: 2, 'aria-label': 'Edit message', 'data-testid': 'edit-input' });
  input.value = editing.draft;
  input.addEventListener('input', () => { editing.draft = input.value; });
  const save = async () => {
    const body = input.value.trim();
    editing = null;
    if (!body || body === m.body) { renderMessages(); return; }
    try {
      const ack = await socket.request({ type: 'message.edit', message_id: m.id, body });
      applyMessage(ack.message);
    } catch (e) {
      showError(e);
    }
    renderMessages();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(); }
    if (e.key === 'Escape') { editing = null; renderMessages(); }
  });
  return input;
}

async function deleteMessage(m) {
  try {
    const ack = await socket.request({ type: 'message.delete', message_id: m.id });
    applyMessage(ack.message);
    renderMessages();
  } catch (e) {
    showError(e);
  }
}

// ---- sending -------------------------------------------------------------------------------

function send(body) {
  const id = state.current;
  if (!id) return;
  const cmid = uuid();
  if (!state.pending.has(id)) state.pending.set(id, new Map());
  state.pending.get(id).set(cmid, { body, status: 'pending', error: null });
  renderMessages(true);
  sendPending(id, cmid);
}

async function sendPending(roomId, cmid) {
  const p = state.pending.get(roomId) && state.pending.get(roomId).get(cmid);
  if (!p) return;
  p.status = 'pending';
  p.error = null;
  if (state.current === roomId) renderMessages(true);
  try {
    const ack = await socket.request({ type: 'message.send', room_id: roomId, client_msg_id: cmid, body: p.body });
    settle(roomId, cmid, ack.message);
  } catch (e) {
    const still = state.pending.get(roomId) && state.pending.get(roomId).get(cmid);
    if (!still) return; // the message arrived meanwhile (e.g. replayed after reconnect)
    still.status = 'failed';
    still.error = e.code === 'DISCONNECTED' ? 'connection lost' : (e.message || e.code);
    if (e.code !== 'DISCONNECTED') showError(e);
    if (state.current === roomId) renderMessages();
  }
}

/** A pending message became a stored one. */
function settle(roomId, cmid, message) {
  const pending = state.pending.get(roomId);
  if (pending) pending.delete(cmid);
  applyMessage(message);
  if (state.current === roomId) renderMessages(true);
}

function applyMessage(m) {
  if (!state.rooms.has(m.room_id)) return;
  const store = messagesOf(m.room_id);
  const known = store.byId.get(m.id);
  if (!known || m.seq >= known.seq) store.byId.set(m.id, m);
  if (store.oldestSeq === null || m.seq < store.oldestSeq) store.oldestSeq = m.seq;
}

// ---- live events ---------------------------------------------------------------------------

function onEvent(frame) {
  if (frame.type === 'presence') {
    state.presence.set(frame.user_id, frame.status);
    renderRooms();
    if (frame.room_id === state.current) {
      document.querySelectorAll(`#member-list li[data-user-id="${frame.user_id}"] .dot`).forEach((d) => {
        d.classList.toggle('online', frame.status === 'online');
        d.dataset.online = frame.status === 'online' ? 'true' : 'false';
      });
    }
    return;
  }
  if (frame.type === 'typing') {
    onTyping(frame);
    return;
  }
  if (frame.type === 'read') {
    if (!state.markers.has(frame.room_id)) state.markers.set(frame.room_id, new Map());
    state.markers.get(frame.room_id).set(frame.user_id, frame.last_read_seq);
    if (frame.room_id === state.current) renderMessages();
    return;
  }
  if (frame.type === 'notification') {
    onNotification(frame);
    return;
  }
  if (frame.type === 'resync_required') {
    resync(frame.room_id);
    return;
  }
  if (frame.type === 'unsubscribed' && frame.reason) {
    dropRoom(frame.room_id);
    return;
  }
  const roomId = frame.room_id;
  if (typeof frame.seq !== 'number' || !state.rooms.has(roomId)) return;
  const position = state.positions.get(roomId);
  if (position !== undefined && frame.seq <= position) return; // already applied
  state.positions.set(roomId, frame.seq);
  const room = state.rooms.get(roomId);
  room.last_seq = frame.seq;
  switch (frame.type) {
    case 'message.created': {
      const m = frame.message;
      room.last_event_at = m.created_at;
      const mine = api.user && m.author_id === api.user.id;
      const pending = state.pending.get(roomId);
      if (mine && pending && pending.has(m.client_msg_id)) pending.delete(m.client_msg_id);
      applyMessage(m);
      if (roomId !== state.current && !mine) state.unread.set(roomId, (state.unread.get(roomId) || 0) + 1);
      if (state.typing.has(roomId) && state.typing.get(roomId).has(m.author_id)) {
        clearTimeout(state.typing.get(roomId).get(m.author_id));
        state.typing.get(roomId).delete(m.author_id);
        renderTyping();
      }
      if (roomId === state.current && !mine) markRead();
      renderRooms();
      break;
    }
    case 'message.updated':
    case 'message.deleted':
      applyMessage(frame.message);
      break;
    case 'member.joined':
      state.users.set(frame.member.user_id, frame.member.username);
      room.member_count += 1;
      break;
    case 'member.left':
      room.member_count = Math.max(0, room.member_count - 1);
      if (api.user && frame.user_id === api.user.id) dropRoom(roomId);
      break;
    case 'room.updated':
      Object.assign(room, { name: frame.room.name, description: frame.room.description, is_private: frame.room.is_private });
      renderRooms();
      break;
    case 'room.deleted':
      dropRoom(roomId);
      return;
    default:
      break;
  }
  if (roomId === state.current) renderMessages();
}

async function resync(roomId) {
  state.rooms_messages.delete(roomId);
  state.positions.delete(roomId);
  try {
    await loadLatest(roomId);
  } catch (e) {
    showError(e);
  }
  if (roomId === state.current) renderMessages(true);
}

function dropRoom(roomId) {
  state.rooms.delete(roomId);
  state.positions.delete(roomId);
  state.rooms_messages.delete(roomId);
  if (state.current === roomId) {
    state.current = null;
    $('#room-name').textContent = 'Pick a room';
    $('#room-info').textContent = '';
    $('#composer').hidden = true;
    renderMessages();
  }
  renderRooms();
}

function subscribe(roomId) {
  const since = state.positions.get(roomId);
  const frame = { type: 'subscribe', room_id: roomId };
  if (since !== undefined) frame.since_seq = since;
  return socket.request(frame).then((reply) => {
    if (!state.positions.has(roomId)) state.positions.set(roomId, reply.last_seq);
  }).catch((e) => { if (e.code !== 'DISCONNECTED') showError(e); });
}

function wsUrl() {
  if (state.config.ws_url) return state.config.ws_url;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.hostname}:${state.config.gateway_port}/ws`;
}

function startSocket() {
  if (socket) socket.stop();
  socket = new ChatSocket(wsUrl, async (forceRefresh) => {
    if (forceRefresh || !api.accessToken) await api.refresh();
    return api.accessToken;
  }, {
    status: (s) => {
      const badge = $('#conn-status');
      badge.textContent = s;
      badge.className = `status ${s}`;
    },
    open: () => {
      for (const id of state.rooms.keys()) subscribe(id);
    },
    event: onEvent,
    closed: () => {},
  });
  socket.start();
}

// ---- panels and forms ----------------------------------------------------------------------

const searches = new WeakMap(); // target list -> number of its latest search
async function searchUsers(q, target, onPick) {
  const mine = (searches.get(target) || 0) + 1;
  searches.set(target, mine);
  target.replaceChildren();
  if (q.trim().length < 1) return;
  try {
    const page = await api.get(`/users?q=${encodeURIComponent(q.trim())}&limit=10`);
    if (searches.get(target) !== mine) return; // a newer search owns the list
    target.replaceChildren();
    for (const u of page.items.filter((x) => !api.user || x.id !== api.user.id)) {
      target.append(el('li', {}, el('button', {
        type: 'button', 'data-testid': 'user-result', dataset: { username: u.username }, onclick: () => onPick(u),
      }, u.username)));
    }
    if (!target.children.length) target.append(el('li', { class: 'empty' }, 'No one found'));
  } catch (e) {
    showError(e);
  }
}

async function browsePublic(q) {
  const list = $('#public-rooms');
  list.replaceChildren();
  try {
    const page = await api.get(`/rooms/public?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    for (const r of page.items) {
      const joined = state.rooms.has(r.id);
      list.append(el('li', {},
        el('span', {}, r.name, ` · ${r.member_count}`),
        joined ? el('small', {}, ' joined') : el('button', { type: 'button', 'data-testid': 'join', dataset: { roomId: r.id }, onclick: () => join(r.id) }, 'Join')));
    }
    if (!page.items.length) list.append(el('li', { class: 'empty' }, 'No public rooms yet'));
  } catch (e) {
    showError(e);
  }
}

async function join(roomId) {
  try {
    const room = await api.post(`/rooms/${roomId}/join`);
    await enterRoom(room);
    $('#browse-panel').hidden = true;
  } catch (e) {
    showError(e);
  }
}

async function enterRoom(room) {
  addRoom(room);
  renderRooms();
  if (socket && socket.isOpen()) await subscribe(room.id);
  await openRoom(room.id);
}

function bindUi() {
  document.querySelectorAll('[data-show]').forEach((b) => b.addEventListener('click', () => {
    for (const id of ['login-form', 'signup-form', 'forgot-form']) {
      document.getElementById(id).hidden = b.dataset.show !== id;
    }
  }));

  $('#forgot-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.request('POST', '/auth/password/forgot', { email: new FormData(e.target).get('email') }, { auth: false });
      e.target.reset();
      showNotice('If an account uses this address, a reset link is on its way.');
    } catch (err) {
      showError(err);
    }
  });

  $('#resend').addEventListener('click', async () => {
    try {
      await api.post('/auth/resend-verification');
      showNotice('A new verification link is on its way.');
    } catch (err) {
      showError(err);
    }
  });

  window.addEventListener('hashchange', () => start());

  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api.login(f.get('email'), f.get('password'));
      e.target.reset();
      await showChat();
    } catch (err) {
      showError(err);
    }
  });

  $('#signup-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const form = { email: f.get('email'), username: f.get('username'), password: f.get('password') };
    if (f.get('first_name')) form.first_name = f.get('first_name');
    if (f.get('last_name')) form.last_name = f.get('last_name');
    try {
      await api.register(form);
      await api.login(form.email, form.password);
      e.target.reset();
      await showChat();
    } catch (err) {
      showError(err);
    }
  });

  $('#logout').addEventListener('click', async () => {
    if (socket) socket.stop();
    await api.logout();
    location.reload();
  });

  document.querySelectorAll('[data-panel]').forEach((b) => b.addEventListener('click', () => {
    for (const id of ['new-room-panel', 'browse-panel', 'dm-panel']) {
      const panel = document.getElementById(id);
      panel.hidden = id !== b.dataset.panel ? true : !panel.hidden;
    }
    if (b.dataset.panel === 'browse-panel' && !$('#browse-panel').hidden) browsePublic('');
  }));

  $('#new-room-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { name: f.get('name'), is_private: f.get('is_private') === 'on' };
    if (f.get('description')) body.description = f.get('description');
    try {
      const room = await api.post('/rooms', body);
      e.target.reset();
      $('#new-room-panel').hidden = true;
      await enterRoom(room);
    } catch (err) {
      showError(err);
    }
  });

  $('#browse-form').addEventListener('submit', (e) => { e.preventDefault(); browsePublic(new FormData(e.target).get('q')); });
  $('#browse-form input').addEventListener('input', (e) => browsePublic(e.target.value));

  const dmSearch = (q) => searchUsers(q, $('#dm-results'), async (u) => {
    try {
      const room = await api.post('/conversations', { user_id: u.id });
      $('#dm-panel').hidden = true;
      await enterRoom(room);
    } catch (err) {
      showError(err);
    }
  });
  $('#dm-form').addEventListener('submit', (e) => { e.preventDefault(); dmSearch(new FormData(e.target).get('q')); });
  $('#dm-form input').addEventListener('input', (e) => dmSearch(e.target.value));

  const addSearch = (q) => searchUsers(q, $('#add-member-results'), async (u) => {
    try {
      await api.post(`/rooms/${state.current}/members`, { user_id: u.id });
      $('#add-member-form').reset();
      $('#add-member-results').replaceChildren();
      await loadMembers(state.current);
    } catch (err) {
      showError(err);
    }
  });
  $('#add-member-form').addEventListener('submit', (e) => { e.preventDefault(); addSearch(new FormData(e.target).get('q')); });
  $('#add-member-form input').addEventListener('input', (e) => addSearch(e.target.value));

  $('#members-toggle').addEventListener('click', () => { $('#members-panel').hidden = !$('#members-panel').hidden; });
  $('#leave-room').addEventListener('click', async () => {
    try {
      await api.post(`/rooms/${state.current}/leave`);
      dropRoom(state.current);
    } catch (err) {
      showError(err);
    }
  });
  $('#back').addEventListener('click', () => document.body.classList.remove('in-room'));

  const composer = $('#composer');
  const input = composer.querySelector('textarea');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener('input', () => typingInput(input.value));
  document.addEventListener('visibilitychange', () => markRead());
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = input.value;
    typingInput('');
    if (!body.trim()) return;
    if ([...body].length > state.config.max_body_chars) {
      showError(`A message can have at most ${state.config.max_body_chars} characters.`);
      return;
    }
    input.value = '';
    send(body);
  });
  $('#messages').addEventListener('scroll', (e) => { if (e.target.scrollTop < 60) loadOlder(); });
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  const where = route();
  if (where.view === 'mailbox') return showMailbox();
  if (where.view === 'token') return showTokenForm(where.kind, where.token);
  if (socket && api.accessToken) return showOnly('chat-view'); // back from another view
  if (api.accessToken || await api.refresh()) return showChat();
  return showAuth();
}

async function main() {
  bindUi();
  api.onAuthLost = () => {
    if (socket) socket.stop();
    location.reload(); // a clean page: nothing of this session stays in memory
  };
  try {
    state.config = await api.request('GET', '/client-config', undefined, { auth: false });
  } catch (e) {
    showError(e);
    return;
  }
  // the development mailbox is offered only where the server runs its SMTP sink
  api.request('GET', '/dev/mailbox', undefined, { auth: false })
    .then(() => document.querySelectorAll('.dev-only').forEach((x) => { x.hidden = false; }))
    .catch(() => {});
  await start();
}

main();
