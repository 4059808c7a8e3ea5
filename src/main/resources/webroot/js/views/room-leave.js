// Leaving the open room (the header's Leave button). A member leaves at once. The owner cannot
// just leave: #leave-panel asks them to pick the member who takes the room over, or to delete it
// instead (room-settings.js asks to confirm that); with no one to take it over, only the latter.
import { $, el } from '../dom.js';
import * as admin from '../room-admin.js';
import * as session from '../session.js';
import * as store from '../state.js';
import { showError, showNotice } from './notices.js';
import { askToDelete } from './room-settings.js';

const { state } = store;

function openRoom() {
  return state.current ? state.rooms.get(state.current) : null;
}

/** "Ada Lovelace (@ada)", or "ada" for someone without names. */
function label(member) {
  const name = admin.fullName(member);
  return name ? `${name} (@${member.username})` : member.username;
}

async function leaveClicked() {
  const room = openRoom();
  if (!room) return;
  if (!admin.owns(room)) {
    try {
      await admin.leaveRoom(room.id);
    } catch (err) {
      showError(err);
    }
    return;
  }
  if (!$('#leave-panel').hidden) {
    close();
    return;
  }
  try {
    await session.loadMembers(room.id); // who is in it now
  } catch (err) {
    showError(err);
    return;
  }
  fill();
  $('#leave-panel').hidden = false;
  const select = $('#leave-form select');
  (select.options.length ? select : $('#leave-delete')).focus();
}

/** The members who could take the room over, the one picked before kept. */
function fill() {
  const room = openRoom();
  if (!room) return;
  const select = $('#leave-form select');
  const picked = select.value;
  const heirs = admin.heirs(room.id);
  select.replaceChildren(...heirs.map((m) => el('option', { value: m.user_id }, label(m))));
  if (heirs.some((m) => String(m.user_id) === picked)) select.value = picked;
  $('#leave-form').hidden = heirs.length === 0;
  $('#leave-alone').hidden = heirs.length > 0;
}

function close() {
  $('#leave-panel').hidden = true;
}

async function handOver(e) {
  e.preventDefault();
  const room = openRoom();
  const select = $('#leave-form select');
  if (!room || !select.value) return;
  const heir = select.options[select.selectedIndex].textContent;
  try {
    await admin.leaveRoom(room.id, Number(select.value));
    showNotice(`You left “${room.name}”: ${heir} owns it now.`);
  } catch (err) {
    showError(err);
  }
}

export function mount() {
  store.on('room', close);
  store.on('members', (roomId) => { if (roomId === state.current && !$('#leave-panel').hidden) fill(); });
  $('#leave-room').addEventListener('click', leaveClicked);
  $('#leave-form').addEventListener('submit', handOver);
  $('#leave-cancel').addEventListener('click', close);
  $('#leave-delete').addEventListener('click', () => {
    close();
    askToDelete();
  });
}
