// The user's rooms in the sidebar (#room-list): newest activity first, the open one marked,
// unread badges, the avatar and a presence dot for each conversation's peer; a click opens the room.
// Our conversation with the assistant is left out: the Assistant entry above stands for it.
// Without any room (a new account), the room's pane shows an empty state (#empty-state) that
// offers to create a room or to browse the public ones (the sidebar's panels), and the list says
// it is empty (on a phone, the list is all there is).
import { $, el, presenceDot } from '../dom.js';
import * as session from '../session.js';
import * as assistantStore from '../assistant-state.js';
import * as store from '../state.js';
import { avatar } from './avatar.js';
import { isMuted } from '../notify.js';
import * as panels from './panels.js';

const { state } = store;

/** Whether the list was loaded: before that, no room does not mean none. */
let listed = false;

function render() {
  const assistantRoom = assistantStore.conversation();
  const rooms = store.roomsByActivity().filter((r) => r !== assistantRoom);
  const none = listed && rooms.length === 0;
  $('#room-list').replaceChildren(...rooms.map(item),
    ...(none ? [el('li', { class: 'empty' }, 'No rooms yet: start one, or browse the public rooms.')] : []));
  $('#empty-state').hidden = !none || state.current !== null; // the assistant's conversation may be open
}

function item(room) {
  const unread = state.unread.get(room.id) || 0;
  return el('li', { class: room.id === state.current ? 'active' : null },
    el('button', { type: 'button', dataset: { roomId: room.id, testid: 'room-item' }, onclick: () => session.openRoom(room.id) },
      el('span', { class: 'room-title' }, room.peer ? avatar(room.peer, 22) : null,
        room.peer ? presenceDot(state.presence.get(room.peer.id) === 'online') : null,
        store.roomTitle(room), room.is_private && room.kind === 'group' ? ' 🔒' : '',
        isMuted(room.id) ? el('span', { class: 'muted-mark', title: 'muted', 'aria-label': 'muted', 'data-testid': 'muted' }, ' 🔕') : null),
      unread ? el('span', { class: 'badge', 'data-testid': 'unread' }, unread) : null));
}

export function mount() {
  store.on('rooms', () => { listed = true; render(); }); // the first: the list is in
  $('#empty-state [data-testid=empty-create-room]').addEventListener('click', () => panels.open('new-room-panel'));
  $('#empty-state [data-testid=empty-browse]').addEventListener('click', () => panels.open('browse-panel'));
  store.on('notify', render);
  store.on('assistant', render);
}
