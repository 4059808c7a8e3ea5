// The notice over the composer (#assistant-notice) when the assistant will not answer our message
// in the open room (`assistant.error`): over today's assistant replies (an upgrade gives more: a
// link to the billing view) or busy with another answer there. Dismissed by hand; a new refusal
// shows again.
import { $ } from '../dom.js';
import * as assistantStore from '../assistant-state.js';
import * as store from '../state.js';

const { state } = store;

const ADVICE = {
  ASSISTANT_LIMIT_EXCEEDED: "You have used today's assistant replies. Upgrade your plan for more, or ask again tomorrow (UTC).",
  ASSISTANT_BUSY: 'The assistant is answering another message here: wait for the current answer, then ask again.',
};

function render() {
  const notice = state.current && assistantStore.assistant.notices.get(state.current);
  const box = $('#assistant-notice');
  box.hidden = !notice;
  if (!notice) return;
  box.dataset.code = notice.code;
  $('#assistant-notice-text').textContent = ADVICE[notice.code] || notice.message || 'The assistant cannot answer now.';
  $('#assistant-upgrade').hidden = notice.code !== 'ASSISTANT_LIMIT_EXCEEDED';
}

export function mount() {
  store.on('assistant.notice', (roomId) => { if (roomId === state.current) render(); });
  store.on('room', render);
  $('#assistant-dismiss').addEventListener('click', () => assistantStore.noticeDismissed(state.current));
}
