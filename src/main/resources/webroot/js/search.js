// Searching our messages (GET /search/messages) and opening a room at a hit. Keeps the results
// (newest first, pages appended as "more" asks for them) and which message a jump landed on, and
// announces 'search' (the results changed) and 'search.focus' ({roomId, messageId}: show that
// message) through the store. A hit is opened through its address (#/rooms/{id}/messages/{seq}),
// so that it can be linked to, reloaded and gone back to. No DOM: views/search.js and
// views/messages.js draw.
import * as router from './router.js';
import * as session from './session.js';
import * as store from './state.js';

const { state } = store;

/** Hits per page of results. */
const PAGE = 20;
/** Messages per history page when loading back to a hit (the API's maximum). */
const HISTORY_PAGE = 100;
/** Messages kept above the hit, so that it is seen in its context. */
const CONTEXT = 10;
/** How long the message a jump landed on stays highlighted. */
const FOCUS_MS = 3000;

export const results = {
  open: false,    // whether the results are shown
  q: '',          // the query they answer
  items: [],      // hits, newest first
  next: null,     // `before` for the next page, or null at the end
  loading: false,
  error: null,
};

let asked = 0; // the latest request's number: only its answer counts
const membersAsked = new Set(); // rooms whose members we loaded to name the hits' authors

/** Searches anew (an empty query closes the results). */
export function run(q) {
  const query = q.trim();
  if (!query) {
    close();
    return Promise.resolve();
  }
  Object.assign(results, { open: true, q: query, items: [], next: null, loading: true, error: null });
  store.announce('search');
  return fetchPage(query, null);
}

/** The next page of the same query. */
export function more() {
  if (!results.open || !results.next || results.loading) return Promise.resolve();
  results.loading = true;
  store.announce('search');
  return fetchPage(results.q, results.next);
}

export function close() {
  asked += 1; // an answer still under way is dropped
  Object.assign(results, { open: false, q: '', items: [], next: null, loading: false, error: null });
  store.announce('search');
}

async function fetchPage(q, before) {
  const mine = ++asked;
  let page = null;
  try {
    page = await session.api.get(`/search/messages?q=${encodeURIComponent(q)}&limit=${PAGE}`
      + `${before ? `&before=${encodeURIComponent(before)}` : ''}`);
  } catch (e) {
    if (mine !== asked) return;
    results.error = e;
  }
  if (mine !== asked) return; // a newer search (or close) owns the results
  if (page) {
    const known = new Set(results.items.map((h) => h.message_id));
    results.items.push(...page.items.filter((h) => !known.has(h.message_id)));
    results.next = page.next_before || null;
  }
  results.loading = false;
  store.announce('search');
  if (page) nameAuthors(page.items);
}

/** Authors we cannot name yet: their rooms' members are loaded once, then the results redrawn. */
async function nameAuthors(items) {
  const rooms = new Set(items.filter((h) => h.author_id !== null && h.author_id !== undefined
    && !state.users.has(h.author_id) && !store.isMine(h.author_id)).map((h) => h.room_id));
  const loads = [...rooms].filter((id) => state.rooms.has(id) && !membersAsked.has(id)).map((id) => {
    membersAsked.add(id);
    return session.loadMembers(id).catch(() => {});
  });
  if (!loads.length) return;
  await Promise.all(loads);
  store.announce('search');
}

// ---- opening a room at a hit ---------------------------------------------------------------

let focus = null; // {roomId, messageId} of the message a jump landed on, while highlighted
let focusTimer = null;

/** Whether this message is the one a jump just landed on. */
export function focused(messageId) {
  return focus !== null && focus.messageId === messageId;
}

/** Opens a hit: its address (#/rooms/{id}/messages/{seq}), which router.js and navigation.js show with openAt. */
export function openHit(hit) {
  if (!state.rooms.has(hit.room_id)) store.reportError({ message: 'That message is in a room you are no longer in.' });
  else router.go(router.roomHash(hit.room_id, hit.seq));
}

/**
 * Opens a room with its history loaded back to a little before the message at `seq`, then
 * announces 'search.focus' (scrolled into view, highlighted for a moment). The history is loaded
 * by the same pages as scrolling up (before_seq), so what the room shows stays one unbroken
 * stretch up to the newest message; a window around the message alone would leave a silent gap
 * under it.
 */
export async function openAt(roomId, seq) {
  if (!state.rooms.has(roomId)) {
    store.reportError({ message: 'That message is in a room you are no longer in.' });
    return;
  }
  if (state.current !== roomId || !store.messagesOf(roomId).loaded) await session.openRoom(roomId);
  try {
    await loadBackTo(roomId, seq - CONTEXT);
  } catch (e) {
    store.reportError(e);
  }
  if (state.current !== roomId) return; // another room was opened meanwhile
  const found = [...store.messagesOf(roomId).byId.values()].find((m) => m.seq === seq);
  if (!found) {
    store.reportError({ message: 'That message is no longer there.' });
    return;
  }
  clearTimeout(focusTimer);
  focus = { roomId, messageId: found.id };
  store.announce('search.focus', focus);
  focusTimer = setTimeout(() => {
    focus = null;
    store.announce('messages', { roomId });
  }, FOCUS_MS);
}

/** Loads older pages of a room until its history reaches `seq` (or its beginning). */
async function loadBackTo(roomId, seq) {
  for (;;) {
    const msgs = store.messagesOf(roomId);
    if (!msgs.loaded || !msgs.hasMore || msgs.oldestSeq === null || msgs.oldestSeq <= seq) return;
    const page = await session.api.get(`/rooms/${roomId}/messages?limit=${HISTORY_PAGE}&before_seq=${msgs.oldestSeq}`);
    if (state.current !== roomId) return;
    store.olderLoaded(roomId, page);
    if (!page.items.length) return;
  }
}
