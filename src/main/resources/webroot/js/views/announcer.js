// What a screen reader hears of the open room: each new message of someone else, once, as
// "name: text" in a polite live region (#announcer, visually hidden), rather than the whole
// message list again on every event. Our own sends, edits, receipts and typing are not read out.
import { $ } from '../dom.js';
import * as store from '../state.js';

function announce(m) {
  if (!m || m.room_id !== store.state.current || store.isMine(m.author_id)) return;
  const text = m.body || `${(m.attachments || []).length} attachment${(m.attachments || []).length === 1 ? '' : 's'}`;
  $('#announcer').textContent = `${store.nameOf(m.author_id)}: ${text}`;
}

export function mount() {
  store.on('message.new', announce);
  store.on('room', () => { $('#announcer').textContent = ''; });
}
