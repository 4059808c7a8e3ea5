// A list of users matching what is typed (GET /users), each a button; used to message someone
// and to add a member. Only the latest search of a list fills it.
import { el } from '../dom.js';
import { api } from '../session.js';
import { me } from '../state.js';
import { avatar } from './avatar.js';
import { showError } from './notices.js';

const searches = new WeakMap(); // target list -> number of its latest search

/** Fills `target` with the users matching `q` (never ourselves); a click calls onPick(user). */
export async function searchUsers(q, target, onPick) {
  const mine = (searches.get(target) || 0) + 1;
  searches.set(target, mine);
  target.replaceChildren();
  if (q.trim().length < 1) return;
  try {
    const page = await api.get(`/users?q=${encodeURIComponent(q.trim())}&limit=10`);
    if (searches.get(target) !== mine) return; // a newer search owns the list
    target.replaceChildren();
    for (const u of page.items.filter((x) => !me() || x.id !== me().id)) {
      target.append(el('li', {}, el('button', {
        type: 'button', 'data-testid': 'user-result', dataset: { username: u.username }, onclick: () => onPick(u),
      }, avatar(u, 20), u.username)));
    }
    if (!target.children.length) target.append(el('li', { class: 'empty' }, 'No one found'));
  } catch (e) {
    showError(e);
  }
}
