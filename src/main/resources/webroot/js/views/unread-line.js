// Where the reading left off, in the open room: a "New messages" line above the first message
// that was unread when the room was opened (others' messages after our read marker, up to the
// room's last seq then; it stays until the room is opened again, while the marker moves on),
// a "↑ N new messages" button while that line is above the view or not loaded yet (it loads
// older pages until the line is in, then scrolls to it), and "Jump to latest ↓" while the end
// of the room is more than a screen below.
import { $, el } from '../dom.js';
import * as session from '../session.js';
import * as store from '../state.js';

const { state } = store;

/** What was unread when the open room was opened: {roomId, since (seq of the marker), upTo (the room's last seq)}. */
let opened = null;

/** The seq after which messages were unread at opening, and up to which; null for none (captured once per opening). */
export function unreadSpan(roomId) {
  if (!opened || opened.roomId !== roomId) {
    const room = state.rooms.get(roomId);
    const user = store.me();
    const markers = state.markers.get(roomId);
    const marker = markers && user && markers.has(user.id) ? markers.get(user.id) : room && room.last_read_seq;
    opened = { roomId, since: typeof marker === 'number' ? marker : null, upTo: room ? room.last_seq : null };
  }
  return opened.since === null || opened.upTo === null || opened.upTo <= opened.since ? null : opened;
}

/** Whether m is the first unread message of the open room (the line goes above it). */
export function isFirstUnread(m, previous) {
  const span = unreadSpan(m.room_id);
  if (!span || store.isMine(m.author_id) || m.seq <= span.since || m.seq > span.upTo) return false;
  if (!previous) return !store.messagesOf(m.room_id).hasMore; // the oldest loaded: first only at the room's start
  return previous.seq <= span.since || !isUnread(previous, span);
}

function isUnread(m, span) {
  return !store.isMine(m.author_id) && m.seq > span.since && m.seq <= span.upTo;
}

/** The line itself. */
export function line() {
  return el('li', { class: 'new-messages', 'data-testid': 'new-messages' },
    el('span', {}, 'New messages'));
}

/** How many of the loaded messages were unread at opening (at least those), for the button's text. */
function unreadLoaded(span) {
  let n = 0;
  for (const m of store.messagesOf(span.roomId).byId.values()) if (isUnread(m, span)) n++;
  return n;
}

function update() {
  const list = $('#messages');
  const span = state.current && unreadSpan(state.current);
  const lineItem = list.querySelector('[data-testid=new-messages]');
  const msgs = state.current && store.messagesOf(state.current);
  const lineLoaded = Boolean(lineItem) || Boolean(span && msgs && msgs.oldestSeq !== null && msgs.oldestSeq <= span.since);
  const above = lineItem ? lineItem.getBoundingClientRect().bottom <= list.getBoundingClientRect().top + 1
    : Boolean(span) && !lineLoaded && Boolean(msgs && msgs.hasMore);
  const unreadButton = $('#jump-unread');
  unreadButton.hidden = !span || !above;
  if (span) {
    const n = unreadLoaded(span);
    unreadButton.textContent = n > 0 ? `↑ ${n} new message${n === 1 ? '' : 's'}` : '↑ New messages';
  }
  $('#jump-latest').hidden = list.scrollHeight - list.scrollTop - list.clientHeight < list.clientHeight;
}

/** Loads older pages until the line is in (or the room's start), then scrolls it to the top of the view. */
async function jumpToUnread() {
  const roomId = state.current;
  const span = roomId && unreadSpan(roomId);
  if (!span) return;
  while (state.current === roomId && !$('#messages [data-testid=new-messages]')) {
    const msgs = store.messagesOf(roomId);
    if (!msgs.hasMore || (msgs.oldestSeq !== null && msgs.oldestSeq <= span.since)) break;
    if (!(await session.loadOlder(roomId))) break;
  }
  const lineItem = $('#messages [data-testid=new-messages]');
  if (lineItem) lineItem.scrollIntoView({ block: 'start' });
  update();
}

function jumpToLatest() {
  const list = $('#messages');
  list.scrollTop = list.scrollHeight;
  update();
}

export function mount() {
  $('#messages').addEventListener('scroll', update, { passive: true });
  $('#jump-unread').addEventListener('click', jumpToUnread);
  $('#jump-latest').addEventListener('click', jumpToLatest);
  store.on('messages', () => requestAnimationFrame(update));
  store.on('room', () => { // what is unread is captured as the room opens, before it is marked read
    if (state.current) unreadSpan(state.current);
    requestAnimationFrame(update);
  });
}
