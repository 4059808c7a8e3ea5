// The message search in the sidebar (#search-form, #search-results): typing searches after a
// short pause, Enter at once; the hits are grouped by room (newest first, a room where its newest
// hit falls), each with its author, time and snippet, the matched words marked; "More" loads
// older hits; Escape, clearing the box or Close ends the search. A click on a hit opens its room
// at that message (search.js). Snippets are built from text nodes and <mark> elements
// (snippet.js), never inserted as HTML.
import { $, el, when } from '../dom.js';
import * as search from '../search.js';
import { snippetParts } from '../snippet.js';
import * as store from '../state.js';

const { results } = search;

/** The pause after the last keystroke before searching. */
const DEBOUNCE_MS = 250;

let typingTimer = null;

function render() {
  const box = $('#search-results');
  box.hidden = !results.open;
  if (!results.open) {
    box.replaceChildren();
    return;
  }
  const more = results.next && !results.error // replaceChildren would write out a null
    ? [el('button', { type: 'button', class: 'search-more', 'data-testid': 'search-more', disabled: results.loading,
      onclick: () => search.more() }, results.loading ? 'Loading…' : 'More')]
    : [];
  box.replaceChildren(
    el('div', { class: 'search-head' }, el('span', { 'data-testid': 'search-status' }, statusText()),
      el('button', { type: 'button', class: 'link', 'data-testid': 'search-close', onclick: endSearch }, 'Close')),
    ...groups().map(group), ...more);
}

function statusText() {
  if (results.error) return `Search failed: ${results.error.message || results.error.code || 'error'}`;
  if (results.loading && !results.items.length) return 'Searching…';
  if (!results.items.length) return `No messages match “${results.q}”.`;
  const n = results.items.length;
  return `${n}${results.next ? '+' : ''} message${n === 1 && !results.next ? ' matches' : 's match'} “${results.q}”`;
}

/** The hits by room, rooms in the order of their newest hit. */
function groups() {
  const byRoom = new Map();
  for (const hit of results.items) {
    if (!byRoom.has(hit.room_id)) byRoom.set(hit.room_id, []);
    byRoom.get(hit.room_id).push(hit);
  }
  return [...byRoom.entries()];
}

function roomName(roomId, hit) {
  const room = store.state.rooms.get(roomId);
  return room ? store.roomTitle(room) : hit.room_name || 'Conversation';
}

function group([roomId, hits]) {
  return el('section', { class: 'search-group', 'data-testid': 'search-group', dataset: { roomId } },
    el('h3', { 'data-testid': 'search-room' }, roomName(roomId, hits[0])),
    el('ul', { class: 'search-hits' }, hits.map((hit) => el('li', {}, hitButton(hit)))));
}

function hitButton(hit) {
  return el('button', { type: 'button', class: 'search-hit', 'data-testid': 'search-hit',
    dataset: { messageId: hit.message_id, roomId: hit.room_id, seq: hit.seq }, onclick: () => search.openHit(hit) },
  el('span', { class: 'meta' }, el('strong', {}, store.nameOf(hit.author_id)), ' ',
    el('time', { datetime: hit.created_at }, when(hit.created_at))),
  el('span', { class: 'snippet', 'data-testid': 'search-snippet' },
    snippetParts(hit.snippet).map((p) => (p.marked ? el('mark', {}, p.text) : p.text))));
}

function endSearch() {
  clearTimeout(typingTimer);
  $('#search-input').value = '';
  search.close();
}

export function mount() {
  const input = $('#search-input');
  input.addEventListener('input', () => {
    clearTimeout(typingTimer);
    if (!input.value.trim()) { search.close(); return; } // cleared (also the box's own ✕)
    typingTimer = setTimeout(() => search.run(input.value), DEBOUNCE_MS);
  });
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(typingTimer);
    search.run(input.value);
  });
  for (const part of [$('#search-form'), $('#search-results')]) {
    part.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      endSearch();
      input.focus();
    });
  }
  store.on('search', render);
}
