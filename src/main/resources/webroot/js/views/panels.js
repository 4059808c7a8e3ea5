// The sidebar's panels, one open at a time: create a room (#new-room-panel), browse public rooms
// and join one (#browse-panel), find someone and start a conversation (#dm-panel).
import { $, el } from '../dom.js';
import * as session from '../session.js';
import { state } from '../state.js';
import { showError } from './notices.js';
import { searchUsers } from './user-search.js';

const PANELS = ['new-room-panel', 'browse-panel', 'dm-panel'];

export function mount() {
  document.querySelectorAll('[data-panel]').forEach((b) => b.addEventListener('click', () => toggle(b.dataset.panel)));
  $('#new-room-form').addEventListener('submit', createRoom);
  $('#browse-form').addEventListener('submit', (e) => { e.preventDefault(); browsePublic(new FormData(e.target).get('q')); });
  $('#browse-form input').addEventListener('input', (e) => browsePublic(e.target.value));
  $('#dm-form').addEventListener('submit', (e) => { e.preventDefault(); findPeer(new FormData(e.target).get('q')); });
  $('#dm-form input').addEventListener('input', (e) => findPeer(e.target.value));
}

function toggle(id) {
  if (document.getElementById(id).hidden) open(id);
  else document.getElementById(id).hidden = true;
}

/** Opens one panel (closing the others), its first field focused: the room list's empty state offers them. */
export function open(id) {
  for (const other of PANELS) document.getElementById(other).hidden = other !== id;
  if (id === 'browse-panel') browsePublic('');
  if (id === 'new-room-panel') $('#new-room-form [name=name]').focus();
}

async function createRoom(e) {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { name: f.get('name'), is_private: f.get('is_private') === 'on' };
  if (f.get('description')) body.description = f.get('description');
  try {
    const room = await session.api.post('/rooms', body);
    e.target.reset();
    $('#new-room-panel').hidden = true;
    await session.enterRoom(room);
  } catch (err) {
    showError(err);
  }
}

async function browsePublic(q) {
  const list = $('#public-rooms');
  list.replaceChildren();
  try {
    const page = await session.api.get(`/rooms/public?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    for (const r of page.items) list.append(publicRoom(r));
    if (!page.items.length) list.append(el('li', { class: 'empty' }, 'No public rooms yet'));
  } catch (e) {
    showError(e);
  }
}

function publicRoom(r) {
  const joined = state.rooms.has(r.id);
  return el('li', {},
    el('span', {}, r.name, ` · ${r.member_count}`),
    joined ? el('small', {}, ' joined')
      : el('button', { type: 'button', 'data-testid': 'join', dataset: { roomId: r.id }, onclick: () => join(r.id) }, 'Join'));
}

async function join(roomId) {
  try {
    const room = await session.api.post(`/rooms/${roomId}/join`);
    await session.enterRoom(room);
    $('#browse-panel').hidden = true;
  } catch (e) {
    showError(e);
  }
}

function findPeer(q) {
  return searchUsers(q, $('#dm-results'), async (u) => {
    try {
      const room = await session.api.post('/conversations', { user_id: u.id });
      $('#dm-panel').hidden = true;
      await session.enterRoom(room);
    } catch (err) {
      showError(err);
    }
  });
}
