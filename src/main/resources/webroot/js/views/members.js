// The open room's members panel (#members-panel, behind the Members button of group rooms):
// who is in the room (their names beside their usernames, avatars, bots badged) and online, kept
// up to date as people join, leave and the room changes hands (room-admin.js); for the owner of
// a private room, adding someone; for the owner, and moderators and admins, removing someone.
import { $, el, presenceDot } from '../dom.js';
import * as admin from '../room-admin.js';
import * as session from '../session.js';
import * as store from '../state.js';
import { botBadge } from './assistant-replies.js';
import { avatar } from './avatar.js';
import { showError, showNotice } from './notices.js';
import { searchUsers } from './user-search.js';

const { state } = store;

/** A room was opened (the panel starts closed), or the open one changed (owner, privacy). */
function roomChanged(opened) {
  const room = state.current && state.rooms.get(state.current);
  if (!room) return;
  $('#members-toggle').hidden = room.kind !== 'group';
  $('#add-member-form').hidden = !(admin.owns(room) && room.is_private);
  if (opened) $('#members-panel').hidden = true;
  else render();
}

function render() {
  const room = state.current && state.rooms.get(state.current);
  const items = state.members.get(state.current) || [];
  $('#member-list').replaceChildren(...items.map((m) => {
    const person = store.isMine(m.user_id) ? { ...m, ...store.me(), id: m.user_id } : { ...m, id: m.user_id }; // us as we are now
    const name = admin.fullName(person);
    return el('li', { dataset: { userId: m.user_id } },
      el('span', { class: 'person' }, avatar(person, 24), presenceDot(state.presence.get(m.user_id) === 'online'),
        name ? el('span', { class: 'person-name', 'data-testid': 'member-name' }, name) : null,
        el('span', { class: name ? 'username' : null, 'data-testid': 'member-username' }, name ? `@${person.username}` : person.username),
        botBadge(m.user_id, m.is_bot === true), m.role === 'owner' ? ' (owner)' : ''),
      admin.canRemove(room, m) ? el('button', {
        type: 'button', class: 'link', 'data-testid': 'member-remove', 'aria-label': `Remove ${person.username} from the room`,
        onclick: () => remove(m.user_id, person.username),
      }, 'Remove') : null);
  }));
}

async function remove(userId, username) {
  try {
    await admin.removeMember(state.current, userId);
    showNotice(`${username} is no longer in the room.`);
  } catch (err) {
    showError(err);
  }
}

function renderIfOpen(roomId) {
  if (roomId === state.current) render();
}

export function mount() {
  store.on('room', () => roomChanged(true));
  store.on('room.changed', (roomId) => { if (roomId === state.current) roomChanged(false); });
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
