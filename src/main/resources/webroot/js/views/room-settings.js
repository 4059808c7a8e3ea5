// The owner's settings of the open room (#room-settings-panel, behind the header's Settings
// button): its name, description and privacy (PATCH /rooms/{id}: everyone's pages follow from
// room.updated), and deleting it after a confirmation that names it. Only the owner sees the
// button; a room handed over to us shows it at once (room-admin.js).
import { $ } from '../dom.js';
import * as admin from '../room-admin.js';
import * as store from '../state.js';
import { showError, showNotice } from './notices.js';

const { state } = store;

function openRoom() {
  return state.current ? state.rooms.get(state.current) : null;
}

/** The Settings button for the owner; another room (or no longer ours) closes the panel. */
function render(opened) {
  const mine = admin.owns(openRoom());
  $('#room-settings-toggle').hidden = !mine;
  if (opened || !mine) close();
}

function open() {
  const room = openRoom();
  const form = $('#room-settings-form');
  form.elements.name.value = room.name || '';
  form.elements.description.value = room.description || '';
  form.elements.is_private.checked = room.is_private;
  $('#room-delete-confirm').hidden = true;
  $('#room-delete').hidden = false;
  $('#room-settings-panel').hidden = false;
  $('#room-settings-toggle').setAttribute('aria-expanded', 'true');
  form.elements.name.focus();
}

function close() {
  $('#room-settings-panel').hidden = true;
  $('#room-delete-confirm').hidden = true;
  $('#room-settings-toggle').setAttribute('aria-expanded', 'false');
}

/** Sends only what changed: a blank description clears it. */
async function save(e) {
  e.preventDefault();
  const room = openRoom();
  if (!room) return;
  const form = e.target;
  const name = form.elements.name.value.trim();
  const description = form.elements.description.value.trim();
  if (!name) {
    showError('A room needs a name.');
    return;
  }
  const fields = {};
  if (name !== room.name) fields.name = name;
  if (description !== (room.description || '')) fields.description = description || null;
  if (form.elements.is_private.checked !== room.is_private) fields.is_private = form.elements.is_private.checked;
  if (Object.keys(fields).length) {
    try {
      await admin.updateRoom(room.id, fields);
      showNotice('Room settings saved.');
    } catch (err) {
      showError(err);
      return;
    }
  }
  close();
}

/** Asks to confirm deleting the open room (its owner's Delete, or "delete it instead" as they leave). */
export function askToDelete() {
  const room = openRoom();
  if (!admin.owns(room)) return;
  if ($('#room-settings-panel').hidden) open();
  $('#room-delete-question').textContent =
    `Delete “${room.name}” with all its messages, for everyone? This cannot be undone.`;
  $('#room-delete').hidden = true;
  $('#room-delete-confirm').hidden = false;
  $('#room-delete-no').focus();
}

async function deleteConfirmed() {
  const room = openRoom();
  if (!room) return;
  try {
    await admin.deleteRoom(room.id);
    showNotice(`“${room.name}” is deleted.`);
  } catch (err) {
    showError(err);
  }
}

export function mount() {
  store.on('room', () => render(true));
  store.on('room.changed', (roomId) => { if (roomId === state.current) render(false); });
  $('#room-settings-toggle').addEventListener('click', () => ($('#room-settings-panel').hidden ? open() : close()));
  $('#room-settings-form').addEventListener('submit', save);
  $('#room-delete').addEventListener('click', askToDelete);
  $('#room-delete-yes').addEventListener('click', deleteConfirmed);
  $('#room-delete-no').addEventListener('click', () => {
    $('#room-delete-confirm').hidden = true;
    $('#room-delete').hidden = false;
    $('#room-delete').focus();
  });
}
