// The open room's members panel (#members-panel, behind the Members button of group rooms):
// who is in the room (with their avatars, bots badged) and online, and, for the owner of a private room, adding someone.
import { $, el, presenceDot } from '../dom.js';
import * as session from '../session.js';
import * as store from '../state.js';
import { botBadge } from './assistant-replies.js';
import { avatar } from './avatar.js';
import { showError } from './notices.js';
import { searchUsers } from './user-search.js';

const { state } = store;

/** A room was opened: the panel starts closed; a closed room leaves it as it was. */
function roomChanged() {
  const room = state.current && state.rooms.get(state.current);
  if (!room) return;
  $('#members-toggle').hidden = room.kind !== 'group';
  $('#add-member-form').hidden = !(room.role === 'owner' && room.is_private);
  $('#members-panel').hidden = true;
}

function render() {
  const items = state.members.get(state.current) || [];
  $('#member-list').replaceChildren(...items.map((m) => {
    const person = store.isMine(m.user_id) ? { ...m, ...store.me(), id: m.user_id } : { ...m, id: m.user_id }; // us as we are now
    return el('li', { dataset: { userId: m.user_id } },
      el('span', { class: 'person' }, avatar(person, 24), presenceDot(state.presence.get(m.user_id) === 'online'),
        person.username, botBadge(m.user_id, m.is_bot === true), m.role === 'owner' ? ' (owner)' : ''));
  }));
}

function renderIfOpen(roomId) {
  if (roomId === state.current) render();
}

export function mount() {
  store.on('room', roomChanged);
  store.on('members', renderIfOpen);
  store.on('presence', renderIfOpen);
  store.on('me', () => render());
  $('#members-toggle').addEventListener('click', () => { $('#members-panel').hidden = !$('#members-panel').hidden; });
  const form = $('#add-member-form');
  form.addEventListener('submit', (e) => { e.preventDefault(); findMember(new FormData(e.target).get('q')); });
  form.querySelector('input').addEventListener('input', (e) => findMember(e.target.value));
}

function findMember(q) {
  return searchUsers(q, $('#add-member-results'), async (u) => {
    try {
      await session.api.post(`/rooms/${state.current}/members`, { user_id: u.id });
      $('#add-member-form').reset();
      $('#add-member-results').replaceChildren();
      await session.loadMembers(state.current);
    } catch (err) {
      showError(err);
    }
  });
}
