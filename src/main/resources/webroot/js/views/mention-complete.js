// @mention completion in the composer: typing "@" and the start of a name lists the open room's
// members whose username or name starts with it (at most 8, the WAI-ARIA combobox pattern:
// https://www.w3.org/WAI/ARIA/apg/patterns/combobox/); ↑/↓ move, Enter or Tab take the one
// marked, a click takes one, Escape closes the list. Taking one puts "@username " in place of
// what was typed. While the list is open, Enter completes instead of sending.
import { $, el } from '../dom.js';
import * as store from '../state.js';

const MAX = 8;
/** "@" at the start or after a space, then what is typed of a name, up to the caret. */
const TYPED = /(^|\s)@([A-Za-z0-9_.-]{0,32})$/;

let choices = [];  // members offered: {user_id, username, name}
let marked = 0;    // index of the one Enter takes
let typedAt = -1;  // where the "@" is in the text

function input() {
  return $('#composer textarea');
}

function close() {
  choices = [];
  render();
}

function update() {
  const text = input().value.slice(0, input().selectionStart);
  const typed = TYPED.exec(text);
  const members = store.state.members.get(store.state.current) || [];
  if (!typed) {
    close();
    return;
  }
  typedAt = text.length - typed[2].length - 1;
  const start = typed[2].toLowerCase();
  const name = (m) => [m.first_name, m.last_name].filter(Boolean).join(' ');
  choices = members.filter((m) => !store.isMine(m.user_id)
      && (m.username.toLowerCase().startsWith(start) || name(m).toLowerCase().split(' ').some((w) => w && w.startsWith(start))))
    .slice(0, MAX).map((m) => ({ user_id: m.user_id, username: m.username, name: name(m) }));
  marked = Math.min(marked, Math.max(0, choices.length - 1));
  render();
}

function take(choice) {
  const field = input();
  const caret = field.selectionStart;
  const before = field.value.slice(0, typedAt);
  const inserted = `@${choice.username} `;
  field.value = before + inserted + field.value.slice(caret);
  field.selectionStart = field.selectionEnd = before.length + inserted.length;
  close();
  field.focus();
}

function render() {
  const list = $('#mention-list');
  const field = input();
  list.hidden = choices.length === 0;
  field.setAttribute('aria-expanded', String(choices.length > 0));
  if (!choices.length) {
    field.removeAttribute('aria-activedescendant');
    list.replaceChildren();
    return;
  }
  list.replaceChildren(...choices.map((c, i) => el('li', {
    id: `mention-option-${i}`, role: 'option', 'aria-selected': String(i === marked), class: i === marked ? 'marked' : null,
    'data-testid': 'mention-option', dataset: { username: c.username },
    onmousedown: (e) => { e.preventDefault(); take(c); }, // before the textarea loses focus
  }, el('strong', {}, `@${c.username}`), c.name ? ` ${c.name}` : '')));
  field.setAttribute('aria-activedescendant', `mention-option-${marked}`);
}

function onKey(e) {
  if (!choices.length) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    marked = (marked + (e.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length;
    render();
  } else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
    take(choices[marked]);
  } else if (e.key === 'Escape') {
    close();
  } else {
    return;
  }
  e.preventDefault();
  e.stopImmediatePropagation(); // the composer's Enter must not send meanwhile
}

export function mount() {
  const field = input();
  field.setAttribute('role', 'combobox');
  field.setAttribute('aria-autocomplete', 'list');
  field.setAttribute('aria-controls', 'mention-list');
  field.setAttribute('aria-expanded', 'false');
  field.addEventListener('keydown', onKey, { capture: true });
  field.addEventListener('input', () => { marked = 0; update(); });
  field.addEventListener('click', update);
  field.addEventListener('blur', close);
  store.on('room', close);
}
