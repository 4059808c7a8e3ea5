// The open room's frame (#room): its title, description and info (and the other person's avatar
// in a conversation), kept up to date as the owner changes them; the back button; the owner's
// settings and the leave button (room-settings.js, room-leave.js, mounted from here); who is
// typing; and the composer (Enter sends, Shift+Enter starts a new line; the finished uploads go
// along, see composer-media.js; each room keeps its own draft, across reloads too: outbox.js).
// On a phone-sized screen the body's `in-room` class shows the room instead of the list; the
// back button goes to the bare address (router.js), which closes the room. The views' "Back to
// chat" links lead to the open room.
import { $ } from '../dom.js';
import * as session from '../session.js';
import * as assistantStore from '../assistant-state.js';
import * as outbox from '../outbox.js';
import * as router from '../router.js';
import * as store from '../state.js';
import * as uploads from '../uploads.js';
import { avatar } from './avatar.js';
import { showError } from './notices.js';
import * as roomLeave from './room-leave.js';
import * as roomSettings from './room-settings.js';

const { state } = store;

/** The header of the room just opened; a closed room leaves "Pick a room" and no composer. */
function renderHeader() {
  const room = state.current && state.rooms.get(state.current);
  if (!room) {
    document.body.classList.remove('in-room');
    $('#room-name').textContent = 'Pick a room';
    $('#room-info').textContent = '';
    $('#room-description').hidden = true;
    $('#room-avatar').replaceChildren();
    $('#composer').hidden = true;
    return;
  }
  document.body.classList.add('in-room');
  $('#room-name').textContent = store.roomTitle(room);
  $('#room-avatar').replaceChildren(...(room.peer ? [avatar(room.peer, 32)] : []));
  const bot = room.peer && assistantStore.isBot(room.peer.id);
  const model = bot && assistantStore.assistant.info && assistantStore.assistant.info.model;
  $('#room-info').textContent = bot ? `assistant${model ? ` · ${model}` : ''}` : room.kind === 'direct' ? 'conversation'
    : `${room.is_private ? 'private' : 'public'} · ${room.member_count} member${room.member_count === 1 ? '' : 's'}`;
  const description = room.kind === 'group' && room.description ? room.description : '';
  $('#room-description').textContent = description;
  $('#room-description').title = description; // the whole of it, where the line is cut
  $('#room-description').hidden = !description;
  $('#composer').hidden = false;
  $('#leave-room').hidden = room.kind !== 'group';
}

/** Another room, another draft in the composer; the "Back to chat" links lead to the room now open. */
function roomChanged() {
  $('#composer textarea').value = state.current === null ? '' : outbox.draft(state.current);
  for (const link of document.querySelectorAll('a.to-chat')) link.setAttribute('href', router.chatHash() || '#');
}

function renderTyping() {
  const who = store.typistNames(state.current);
  $('#typing').textContent = who.length === 0 ? ''
    : who.length === 1 ? `${who[0]} is typing…` : `${who.join(', ')} are typing…`;
}

export function mount() {
  store.on('room', renderHeader);
  store.on('room', roomChanged);
  store.on('room.changed', (roomId) => { if (roomId === state.current) renderHeader(); }); // renamed, described, handed over
  store.on('typing', renderTyping);
  store.on('room.loaded', () => $('#composer textarea').focus());
  roomSettings.mount();
  roomLeave.mount();
  $('#back').addEventListener('click', () => router.go(''));
  document.addEventListener('visibilitychange', () => session.markRead());
  bindComposer();
}

function bindComposer() {
  const composer = $('#composer');
  const input = composer.querySelector('textarea');
  // a touch keyboard's Enter makes a new line there: no Shift+Enter hint on phones
  if (window.matchMedia('(pointer: coarse)').matches) input.placeholder = 'Message';
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener('input', () => {
    outbox.keepDraft(state.current, input.value);
    session.typingInput(input.value);
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = input.value;
    const roomId = state.current;
    session.typingInput('');
    if (uploads.busy(roomId)) {
      showError('Some files are still uploading: send once they are done, or cancel them.');
      return;
    }
    const attachments = uploads.ready(roomId);
    if (!body.trim() && !attachments.length) return;
    if ([...body].length > state.config.max_body_chars) {
      showError(`A message can have at most ${state.config.max_body_chars} characters.`);
      return;
    }
    input.value = '';
    outbox.keepDraft(roomId, '');
    uploads.taken(roomId);
    session.send(body.trim() ? body : '', attachments);
  });
}
