// Telling the user of new messages when they are not looking: desktop notifications (the
// Notification API, https://notifications.spec.whatwg.org/, opt-in: the browser asks for
// permission when the user turns them on), the unread total in the tab's title ("(3) Parley"),
// a short sound (off by default) and muted rooms. Someone else's new message notifies when its
// room is not in view (another room is open, or the tab is hidden) and the room is not muted; a
// message that mentions us (@username) notifies even in a muted room. Muted rooms keep their
// unread badge but stay out of the title's total. The choices are this browser's (localStorage).
// No DOM but the title; views/notify-settings.js draws the switches.
//
// Topics (announced through state.js's listeners):
//   'notify'  a choice changed (desktop, sound, a room muted or not)
import { announce, me, nameOf, on, roomTitle, state } from './state.js';

const KEY = 'parley.notify';
/** Replayed messages older than this do not notify (they were news while we were away). */
const FRESH_MS = 2 * 60 * 1000;

export const prefs = load();
let opener = () => {};
let baseTitle = null;

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY)) || {};
    return { desktop: saved.desktop === true, sound: saved.sound === true, muted: new Set(saved.muted || []) };
  } catch {
    return { desktop: false, sound: false, muted: new Set() };
  }
}

function save() {
  localStorage.setItem(KEY, JSON.stringify({ desktop: prefs.desktop, sound: prefs.sound, muted: [...prefs.muted] }));
  announce('notify');
  showTotal();
}

/** 'granted', 'denied', 'default', or 'unsupported' when the browser has no Notification API. */
export function permission() {
  return 'Notification' in window ? window.Notification.permission : 'unsupported';
}

/** Turns desktop notifications on (asking the browser's permission first) or off; answers whether they are on. */
export async function setDesktop(wanted) {
  let granted = wanted && permission() === 'granted';
  if (wanted && permission() === 'default') granted = (await window.Notification.requestPermission()) === 'granted';
  prefs.desktop = granted;
  save();
  return granted;
}

export function setSound(wanted) {
  prefs.sound = wanted;
  save();
}

export function isMuted(roomId) {
  return prefs.muted.has(roomId);
}

export function setMuted(roomId, muted) {
  if (muted) prefs.muted.add(roomId);
  else prefs.muted.delete(roomId);
  save();
}

/** What a notification's click does with its room id (app.js: open the room). */
export function setOpener(fn) {
  opener = fn;
}

/** Whether `text` mentions `username`: @username as a whole word, in any case. */
export function mentions(text, username) {
  if (!text || !username) return false;
  const escaped = username.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.@-])@${escaped}(?![A-Za-z0-9_-])`, 'i').test(text);
}

/** A message just applied to the store (a live message.created, or a notification's): tell the user if they should know. */
export function messageArrived(m) {
  const user = me();
  const room = state.rooms.get(m.room_id);
  if (!user || !room || m.author_id === user.id || m.deleted) return;
  if (Date.now() - new Date(m.created_at).getTime() > FRESH_MS) return;
  if (m.room_id === state.current && !document.hidden) return; // in view
  const mention = mentions(m.body, user.username);
  if (isMuted(m.room_id) && !mention) return;
  if (prefs.desktop && permission() === 'granted') {
    const title = mention ? `${nameOf(m.author_id)} mentioned you in ${roomTitle(room)}` : `${nameOf(m.author_id)} in ${roomTitle(room)}`;
    const body = m.body ? m.body.slice(0, 140) : `${(m.attachments || []).length} attachment(s)`;
    const shown = new window.Notification(title, { body, tag: `parley-room-${m.room_id}`, silent: true, data: { roomId: m.room_id } });
    shown.onclick = () => {
      window.focus();
      opener(m.room_id);
      shown.close();
    };
  }
  if (prefs.sound) chime();
}

/** The unread total of the rooms not muted, in the tab's title. */
function showTotal() {
  if (baseTitle === null) baseTitle = document.title;
  let total = 0;
  for (const [roomId, count] of state.unread) if (!isMuted(roomId)) total += count;
  const title = total > 0 ? `(${total}) ${baseTitle}` : baseTitle;
  if (document.title !== title) document.title = title;
}

let audio = null;

/** A short, quiet two-tone chime (Web Audio; no file to load). */
function chime() {
  try {
    audio = audio || new AudioContext();
    const now = audio.currentTime;
    [880, 1320].forEach((hz, i) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, now + i * 0.09);
      gain.gain.exponentialRampToValueAtTime(0.06, now + i * 0.09 + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.09 + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + i * 0.09);
      tone.stop(now + i * 0.09 + 0.17);
    });
  } catch {
    // no audio here: the notification is enough
  }
}

/** Keeps the title's total current. */
export function mount() {
  on('rooms', showTotal);
  on('messages', showTotal);
  showTotal();
}
