// The page's address (location.hash), owned here and nowhere else: what each address shows, and
// the history entries that make Back and Forward (the browser's, Android's) move between views
// inside the app. The addresses:
//   (none)                        the chat, no room open: "Pick a room" (the room list on a phone)
//   #/rooms/{id}                  a room
//   #/rooms/{id}/messages/{seq}   a room at one message (scrolled to it, highlighted: search.js)
//   #profile, #billing[?…], #admin[/…][?…]  a view in place of the room, which stays open under it
//   #mailbox                      the development mailbox
//   #reset?token=…, #invite?token=…  a mailed link: the set-password form
// Every change of the address (a link, Back, Forward, go()) is handed to the one handler that
// listen() was given (app.js shows what the address names). A room opened by other means (the
// room list, a new room, a conversation, the assistant) gets its address pushed here, so that it
// becomes a history entry; a reload, or the bare address the verification link lands on, reopens
// the tab's last room (sessionStorage). No DOM.
import * as store from './state.js';

const { state } = store;

const ROOM = /^\/rooms\/([1-9][0-9]{0,17})(?:\/messages\/([1-9][0-9]{0,17}))?\/?$/;
const LAST_ROOM = 'parley.last-room.';

let handler = () => {};

/**
 * What an address names: {view: 'mailbox'}, {view: 'token', kind, token}, or {view: 'app',
 * billing (URLSearchParams) | null, profile, admin ({path, query}) | null, room ({id, seq}) | null}.
 * Unknown addresses name the chat without a room.
 */
export function parse(hash) {
  const text = hash.replace(/^#/, '');
  const cut = text.indexOf('?');
  const name = cut < 0 ? text : text.slice(0, cut);
  const query = new URLSearchParams(cut < 0 ? '' : text.slice(cut + 1));
  if (name === 'mailbox') return { view: 'mailbox' };
  if (name === 'reset' || name === 'invite') return { view: 'token', kind: name, token: query.get('token') };
  const where = { view: 'app', billing: null, profile: false, admin: null, room: null };
  if (name === 'billing') where.billing = query;
  else if (name === 'profile') where.profile = true;
  else if (name === 'admin' || name.startsWith('admin/')) where.admin = { path: name.slice('admin'.length), query };
  else {
    const m = ROOM.exec(name);
    if (m) where.room = { id: Number(m[1]), seq: m[2] ? Number(m[2]) : null };
  }
  return where;
}

/** What the page's address names now. */
export function current() {
  return parse(location.hash);
}

/** The address of a room, or of one message in it. */
export function roomHash(roomId, seq = null) {
  return `#/rooms/${roomId}${seq === null || seq === undefined ? '' : `/messages/${seq}`}`;
}

/** The address of the chat as it stands: the open room's, else the bare address. */
export function chatHash() {
  return state.current === null ? '' : roomHash(state.current);
}

function same(hash) {
  return hash.replace(/^#/, '') === location.hash.replace(/^#/, '');
}

/** Goes to an address (a new history entry); the same address again is shown again. */
export function go(hash) {
  if (same(hash)) {
    handler();
  } else if (hash.replace(/^#/, '')) {
    location.hash = hash; // the hashchange shows it
  } else {
    history.pushState(null, '', location.pathname);
    handler();
  }
}

/** Puts an address in place of the current one (no history entry, nothing shown anew). */
export function replace(hash) {
  const text = hash.replace(/^#/, '');
  history.replaceState(history.state, '', text ? `${location.pathname}#${text}` : location.pathname);
}

/** The tab's last open room (null: none, or the chat without a room). */
export function lastRoom() {
  const user = store.me();
  try {
    const id = user && Number(sessionStorage.getItem(LAST_ROOM + user.id));
    return id || null;
  } catch (e) {
    return null;
  }
}

/** Forgets the tab's last room, whoever's it was (signing out). */
export function forget() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(LAST_ROOM)) sessionStorage.removeItem(key);
  } catch (e) { /* storage off: nothing kept */ }
}

function remember(roomId) {
  const user = store.me();
  if (!user) return;
  try {
    if (roomId === null) sessionStorage.removeItem(LAST_ROOM + user.id);
    else sessionStorage.setItem(LAST_ROOM + user.id, String(roomId));
  } catch (e) { /* storage off: a reload shows no room */ }
}

/** The room opened or closed: its address, unless the page is there already. */
function roomChanged() {
  const id = state.current;
  const at = current();
  remember(id);
  if (id === null) {
    if (at.room) replace(''); // the open room was left, deleted, or we were removed from it
    return;
  }
  if (at.view === 'app' && at.room && at.room.id === id) return;
  go(roomHash(id));
}

/** Hands every change of the address to `show`; from now on, opened rooms get their address. */
export function listen(show) {
  handler = show;
  window.addEventListener('hashchange', () => handler());
  store.on('room', roomChanged);
}
