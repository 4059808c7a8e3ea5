// The user's rooms in the sidebar (#room-list): newest activity first, the open one marked,
// unread badges, the avatar and a presence dot for each conversation's peer; a click opens the room.
// Our conversation with the assistant is left out: the Assistant entry above stands for it.
import { $, el, presenceDot } from '../dom.js';
import * as session from '../session.js';
import * as assistantStore from '../assistant-state.js';
import * as store from '../state.js';
import { avatar } from './avatar.js';
import { isMuted } from '../notify.js';

const { state } = store;

function render() {
  const assistantRoom = assistantStore.conversation();
  $('#room-list').replaceChildren(...store.roomsByActivity().filter((r) => r !== assistantRoom).map(item));
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
  store.on('rooms', render);
  store.on('notify', render);
  store.on('assistant', render);
}
