// The Assistant entry at the top of the sidebar (#assistant-entry): a click opens our conversation
// with the assistant (made on first use), which the room list leaves out; it is marked open and
// shows its unread count like a room. When the assistant is off on this server, the entry says so
// and explains how an operator switches it on.
import { $, el } from '../dom.js';
import * as assistant from '../assistant.js';
import * as assistantStore from '../assistant-state.js';
import * as store from '../state.js';

const { state } = store;

const OFF_TEXT = 'The assistant is off on this server. An operator switches it on by setting assistant.base_url '
  + '(PARLEY_ASSISTANT_BASE_URL) to an OpenAI-compatible API.';

function render() {
  const entry = $('#assistant-entry');
  const info = assistantStore.assistant.info;
  entry.hidden = !info;
  if (!info) return;
  const on = assistantStore.configured();
  const room = assistantStore.conversation();
  const unread = room ? state.unread.get(room.id) || 0 : 0;
  entry.classList.toggle('active', !!room && room.id === state.current);
  entry.classList.toggle('off', !on);
  entry.dataset.configured = on ? 'true' : 'false';
  const button = el('button', { type: 'button', 'data-testid': 'assistant-open', 'aria-disabled': on ? null : 'true',
    'aria-describedby': on ? null : 'assistant-off', title: on ? `Ask the assistant${info.model ? ` (${info.model})` : ''}` : null,
    onclick: click },
    el('span', { class: 'room-title' }, el('span', { class: 'icon icon-bot', 'aria-hidden': 'true' }), 'Assistant',
      on ? null : el('small', { class: 'off-label' }, ' · off')),
    unread ? el('span', { class: 'badge', 'data-testid': 'unread' }, unread) : null);
  if (on) entry.replaceChildren(button);
  else entry.replaceChildren(button, el('p', { id: 'assistant-off', class: 'hint', 'data-testid': 'assistant-off' }, OFF_TEXT));
}

/** On: the conversation. Off: the conversation we had, if any (its history stays readable), else nothing. */
function click() {
  if (assistantStore.configured() || assistantStore.conversation()) assistant.openConversation();
}

export function mount() {
  store.on('assistant', render);
  store.on('rooms', render);
  store.on('room', render);
}
