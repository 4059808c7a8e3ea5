// The actions of one message behind a "⋯" button (the WAI-ARIA menu button pattern:
// https://www.w3.org/WAI/ARIA/apg/patterns/menu-button/): Edit (our own text) and Delete (ours,
// or anyone's for moderators and admins), reachable by keyboard (Enter or Space opens it, ↑/↓
// move, Escape closes it and gives the focus back to the button). Delete asks first, in place:
// "Delete this message?" with Delete and Cancel. The message list is redrawn on every event, so
// which menu is open (and whether it is asking) is kept here and drawn again each time.
import { el } from '../dom.js';

/** The open menu: {id (message id), confirming}; null when none. */
let open = null;
let redraw = () => {};

/** How to redraw the list after the menu opens or closes (views/messages.js's render). */
export function onChange(fn) {
  redraw = fn;
}

function setOpen(next, focus) {
  open = next;
  redraw();
  if (focus) requestAnimationFrame(() => { const target = document.querySelector(focus); if (target) target.focus(); });
}

/**
 * The menu of message m: {label: what the actions name ("your message from 10:42"), edit: fn or
 * null (no Edit), remove: fn}. Returns the button with its menu when open.
 */
export function messageMenu(m, { label, edit, remove }) {
  const isOpen = open !== null && open.id === m.id;
  const menuId = `message-menu-${m.id}`;
  const button = el('button', { type: 'button', class: 'menu-button', 'data-testid': 'message-menu', 'aria-haspopup': 'menu',
    'aria-expanded': String(isOpen), 'aria-controls': isOpen ? menuId : null, 'aria-label': `Actions for ${label}`, dataset: { messageId: m.id },
    onclick: () => setOpen(isOpen ? null : { id: m.id, confirming: false }, isOpen ? null : `#${menuId} [role=menuitem]`) }, '⋯');
  if (!isOpen) return el('div', { class: 'tools' }, button);
  const back = `[data-testid=message-menu][data-message-id="${m.id}"]`;
  const item = (text, testid, action) => el('li', { role: 'none' },
    el('button', { type: 'button', role: 'menuitem', tabindex: '-1', 'data-testid': testid, onclick: action }, text));
  const items = open.confirming
    ? [el('li', { role: 'none', class: 'confirm-text' }, 'Delete this message?'),
      item('Delete', 'confirm-delete', () => { setOpen(null, back); remove(); }),
      item('Cancel', 'cancel-delete', () => setOpen(null, back))]
    : [edit ? item('Edit', 'edit', () => { setOpen(null); edit(); }) : null,
      item('Delete', 'delete', () => setOpen({ id: m.id, confirming: true }, `#${menuId} [data-testid=confirm-delete]`))];
  const menu = el('ul', { id: menuId, class: 'message-menu', role: 'menu', 'aria-label': `Actions for ${label}`, onkeydown: (e) => keys(e, menu, back) },
    ...items);
  return el('div', { class: 'tools open' }, button, menu);
}

function keys(e, menu, back) {
  const entries = [...menu.querySelectorAll('[role=menuitem]')];
  const at = entries.indexOf(document.activeElement);
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const next = entries[(at + (e.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length];
    if (next) next.focus();
  } else if (e.key === 'Escape') {
    setOpen(null, back);
  } else if (e.key === 'Tab') {
    setOpen(null);
    return;
  } else {
    return;
  }
  e.preventDefault();
}
