// The open room's messages (#messages): stored ones in seq order under the start of the room,
// then our pending sends (… sending, ✗ not sent with Retry, ✗ over today's limit: the limit banner
// explains it, Retry once sending is possible again); ✓ sent / ✓✓ read ticks; editing
// and deleting our own from a "⋯" menu, a delete asked first (views/message-menu.js; moderators
// and admins delete anyone's: "removed by a moderator" then);
// the page before loaded when scrolled to the top. Texts show links, @mentions (ours
// highlighted) and a little Markdown (rich-text.js). A line marks each new day; messages of one
// author within 5 minutes are grouped under one name and avatar; a time shows its full date
// and time on hover. Each message shows its
// author's avatar and its attachments (views/attachments.js); a text may be absent then. The
// assistant's replies being written come last, as drafts (views/assistant-replies.js). A message
// opened from a search hit is scrolled to the middle and highlighted for a moment (search.js).
import { $, el, time } from '../dom.js';
import { focused } from '../search.js';
import * as session from '../session.js';
import * as store from '../state.js';
import { canModerate, removedByModerator } from '../moderation.js';
import { botBadge, draftItems, replyStatus } from './assistant-replies.js';
import { attachmentList } from './attachments.js';
import { avatarOf } from './avatar.js';
import { richText } from '../rich-text.js';
import { isFirstUnread, line as unreadLine } from './unread-line.js';
import { messageMenu, onChange as onMenuChange } from './message-menu.js';
import { showError } from './notices.js';

const { state } = store;

/** The message being edited in place, with its draft: kept across re-renders (live events). */
let editing = null;

export function mount() {
  onMenuChange(() => render());
  store.on('room', () => render());
  store.on('me', () => render()); // our own avatar or name changed
  store.on('messages', ({ roomId, toEnd }) => { if (roomId === state.current) render(toEnd); });
  store.on('search.focus', ({ roomId, messageId }) => { if (roomId === state.current) showFound(messageId); });
  $('#messages').addEventListener('scroll', (e) => { if (e.target.scrollTop < 60) showOlder(); });
}

function render(scrollToEnd = false) {
  const list = $('#messages');
  const id = state.current;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const focus = focusIn(list); // a live event redraws the list: the focus stays where it was
  list.replaceChildren();
  if (!id) return;
  const msgs = store.messagesOf(id);
  if (msgs.loaded && !msgs.hasMore) list.append(el('li', { class: 'start' }, 'This is the beginning of the room.'));
  const items = [...msgs.byId.values()].sort((a, b) => a.seq - b.seq);
  people = new Map((state.members.get(id) || []).map((m) => [m.user_id, m])); // once per drawing, not per message
  let previous = null;
  for (const m of items) {
    if (!previous || dayOf(previous.created_at) !== dayOf(m.created_at)) list.append(dayDivider(m.created_at));
    if (isFirstUnread(m, previous)) list.append(unreadLine());
    list.append(message(m, follows(previous, m)));
    previous = m;
  }
  const pending = state.pending.get(id);
  if (pending) {
    for (const [cmid, p] of pending) list.append(pendingMessage(id, cmid, p));
  }
  list.append(...draftItems(id));
  if (scrollToEnd || atBottom) list.scrollTop = list.scrollHeight;
  if (focus) {
    const again = list.querySelector(`li[data-id="${CSS.escape(focus.id)}"] [data-testid="${CSS.escape(focus.testid)}"]`);
    if (again) again.focus();
  }
  const draft = list.querySelector('[data-testid=edit-input]');
  if (draft) { // the list was rebuilt under the editor: keep typing where it was
    draft.focus();
    draft.setSelectionRange(draft.value.length, draft.value.length);
  }
}

/** What has the focus in the list: {id (its message), testid (which control)}, or null. */
function focusIn(list) {
  const active = document.activeElement;
  const item = active && list.contains(active) && active.closest('li[data-id]');
  return item && active.dataset.testid ? { id: item.dataset.id, testid: active.dataset.testid } : null;
}

/** A search hit opened here: drawn highlighted, then scrolled to the middle of the list. */
function showFound(messageId) {
  render();
  const li = $('#messages').querySelector(`[data-testid=message][data-id="${CSS.escape(String(messageId))}"]`);
  if (li) li.scrollIntoView({ block: 'center' });
}

/** Loads the page before the oldest shown, keeping in view what was. */
async function showOlder() {
  const id = state.current;
  const list = $('#messages');
  const fromBottom = list.scrollHeight - list.scrollTop;
  if (await session.loadOlder(id) && state.current === id) list.scrollTop = list.scrollHeight - fromBottom;
}

/** The reader's calendar day of a moment ("2026-12-07" in their time zone). */
function dayOf(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** A line between days: "Today", "Yesterday" or the date, in the reader's locale and time zone. */
function dayDivider(iso) {
  const d = new Date(iso);
  const days = Math.round((new Date(new Date().toDateString()) - new Date(d.toDateString())) / 86400000);
  const label = days === 0 ? 'Today' : days === 1 ? 'Yesterday'
    : d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return el('li', { class: 'day-divider', 'data-testid': 'day-divider', dataset: { day: dayOf(iso) } },
    el('span', {}, label));
}

/** Whether m continues previous: same author, within GROUP_MS, neither deleted (then one name and avatar for both). */
function follows(previous, m) {
  return Boolean(previous) && previous.author_id === m.author_id && !previous.deleted && !m.deleted
    && new Date(m.created_at) - new Date(previous.created_at) < GROUP_MS;
}

const GROUP_MS = 5 * 60 * 1000;

/** Who wrote it: their name when the room's member list gives one, with the username beside it; else the username. */
let people = new Map(); // the open room's members by user id, as of the last drawing

function author(userId) {
  const member = people.get(userId);
  const name = member && !store.isMine(userId) ? [member.first_name, member.last_name].filter(Boolean).join(' ') : '';
  const username = store.nameOf(userId);
  return name
    ? [el('strong', { class: 'author', title: `@${username}` }, name), el('span', { class: 'author username' }, ` @${username}`)]
    : [el('strong', { class: 'author' }, username)];
}

/** The full date and time of a moment, for hovering a message's time. */
function fullTime(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: 'full', timeStyle: 'medium' });
}

function message(m, grouped = false) {
  const mine = store.isMine(m.author_id);
  const body = m.deleted ? deletedBody(m)
    : editing && editing.id === m.id ? editor(m)
      : bodyOf(m.body, m.attachments);
  const li = el('li', { class: `message${mine ? ' mine' : ''}${grouped ? ' grouped' : ''}${focused(m.id) ? ' found' : ''}`,
    dataset: { seq: m.seq, id: m.id, testid: 'message' } },
    el('div', { class: 'meta' }, avatarOf(m.author_id),
      ...author(m.author_id), botBadge(m.author_id), ' ',
      el('time', { datetime: m.created_at, title: fullTime(m.created_at) }, time(m.created_at)),
      m.edited_at && !m.deleted ? el('span', { class: 'edited', 'data-testid': 'edited' }, ' (edited)') : null,
      mine && !m.deleted ? sentState(m) : null, m.deleted ? null : replyStatus(m)),
    body, m.deleted ? null : attachmentList(m.attachments));
  if ((mine || canModerate()) && !m.deleted) { // only authors edit; moderators and admins delete any
    li.append(messageMenu(m, {
      label: mine ? `your message from ${time(m.created_at)}` : `${store.nameOf(m.author_id)}'s message from ${time(m.created_at)}`,
      edit: mine && m.body ? () => startEdit(m) : null,
      remove: () => deleteMessage(m),
    }));
  }
  return li;
}

function deletedBody(m) {
  return removedByModerator(m)
    ? el('p', { class: 'body deleted moderated', 'data-testid': 'message-deleted' }, 'removed by a moderator')
    : el('p', { class: 'body deleted', 'data-testid': 'message-deleted' }, 'message deleted');
}

function sentState(m) {
  return store.readByOthers(m)
    ? el('span', { class: 'state read', 'data-testid': 'message-state' }, ' ✓✓ read')
    : el('span', { class: 'state sent', 'data-testid': 'message-state' }, ' ✓ sent');
}

const PENDING_STATE = { pending: () => ' … sending', failed: (p) => ` ✗ not sent: ${p.error}`, refused: () => " ✗ over today's limit" };

function pendingMessage(roomId, cmid, p) {
  return el('li', { class: `message mine ${p.status}`, dataset: { clientMsgId: cmid, testid: 'pending', status: p.status } },
    el('div', { class: 'meta' }, avatarOf(store.me().id), el('strong', {}, store.me().username),
      el('span', { class: `state ${p.status}`, 'data-testid': 'message-state' }, PENDING_STATE[p.status](p))),
    bodyOf(p.body, p.attachments), attachmentList(p.attachments),
    p.status !== 'pending'
      ? el('div', { class: 'tools' }, el('button', { type: 'button', 'data-testid': 'retry', onclick: () => session.sendPending(roomId, cmid) }, 'Retry'))
      : null);
}

/** The text of a message (links, mentions and a little Markdown: rich-text.js); none when it only carries attachments. */
function bodyOf(text, attachments) {
  if (!text && attachments && attachments.length) return null;
  return el('div', { class: 'body', 'data-testid': 'message-body' }, richText(text || '', store.me() ? store.me().username : ''));
}

function startEdit(m) {
  editing = { id: m.id, draft: m.body || '' };
  render();
}

function editor(m) {
  const input = el('textarea', { class: 'edit', rows: 2, 'aria-label': 'Edit message', 'data-testid': 'edit-input' });
  input.value = editing.draft;
  input.addEventListener('input', () => { editing.draft = input.value; });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); saveEdit(m, input.value.trim()); }
    if (e.key === 'Escape') { editing = null; render(); }
  });
  return input;
}

async function saveEdit(m, body) {
  editing = null;
  if (!body || body === m.body) { render(); return; }
  try {
    await session.editMessage(m.id, body);
  } catch (e) {
    showError(e);
  }
  render();
}

async function deleteMessage(m) {
  try {
    await session.deleteMessage(m.id);
  } catch (e) {
    showError(e);
  }
}
