// The admin area's rooms (#admin/rooms): group rooms by id, each with its visibility, owner,
// creation and member and message counts (deleted messages not counted), More for the next page.
import { $, el } from '../dom.js';
import * as adminData from '../admin.js';
import * as lists from '../admin-lists.js';
import * as store from '../state.js';
import { stamp } from './admin-audit.js';

const { rooms } = lists;

export function show() {
  lists.listRooms();
}

export function mount() {
  store.on('admin.rooms', render);
  $('#admin-rooms-more').addEventListener('click', () => lists.listRooms(true));
}

function render() {
  const body = $('#admin-rooms');
  const items = rooms.items || [];
  body.replaceChildren(...items.map(roomRow));
  if (!items.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 6 }, rooms.items ? 'No rooms yet' : 'Loading…')));
  $('#admin-rooms-more').hidden = !rooms.cursor;
}

function roomRow(r) {
  return el('tr', { 'data-testid': 'admin-room', dataset: { roomId: r.id } },
    el('td', { 'data-testid': 'admin-room-name' }, r.name || `room #${r.id}`),
    el('td', {}, r.is_private ? 'private' : 'public'),
    el('td', {}, r.owner_id === null ? '—' : el('a', { href: `#admin/users/${r.owner_id}` }, adminData.nameOf(r.owner_id))),
    el('td', {}, stamp(r.created_at)),
    el('td', { class: 'count', 'data-testid': 'admin-room-members' }, String(r.member_count)),
    el('td', { class: 'count', 'data-testid': 'admin-room-messages' }, String(r.message_count)));
}
