// The switches of notify.js: in the profile view, desktop notifications (turning them on asks
// the browser's permission; refused, the switch stays off and says how to allow them) and the
// sound; in the open room's header, Mute / Unmute (aria-pressed). Muted rooms show a bell with a
// slash in the room list (views/room-list.js).
import { $ } from '../dom.js';
import * as notify from '../notify.js';
import * as store from '../state.js';

const PERMISSION_TEXT = {
  denied: 'This browser blocks notifications from this site: allow them in its site settings, then turn them on here.',
  unsupported: 'This browser cannot show desktop notifications.',
};

function renderSettings() {
  const form = $('#notify-form');
  form.elements.desktop.checked = notify.prefs.desktop && notify.permission() === 'granted';
  form.elements.desktop.disabled = notify.permission() === 'unsupported';
  form.elements.sound.checked = notify.prefs.sound;
  $('#notify-permission').textContent = PERMISSION_TEXT[notify.permission()] || '';
}

function renderMute() {
  const button = $('#mute-room');
  const room = store.state.current && store.state.rooms.get(store.state.current);
  button.hidden = !room;
  if (!room) return;
  const muted = notify.isMuted(room.id);
  button.textContent = muted ? 'Unmute' : 'Mute';
  button.setAttribute('aria-pressed', String(muted));
  button.title = muted ? 'Notifications only when you are mentioned' : 'Notify me of every new message';
}

export function mount() {
  const form = $('#notify-form');
  form.addEventListener('submit', (e) => e.preventDefault());
  form.elements.desktop.addEventListener('change', async (e) => {
    await notify.setDesktop(e.target.checked);
    renderSettings();
  });
  form.elements.sound.addEventListener('change', (e) => notify.setSound(e.target.checked));
  $('#mute-room').addEventListener('click', () => {
    const id = store.state.current;
    if (id) notify.setMuted(id, !notify.isMuted(id));
  });
  store.on('notify', () => { renderSettings(); renderMute(); });
  store.on('room', renderMute);
  store.on('rooms', renderMute);
  renderSettings();
  notify.mount();
}
