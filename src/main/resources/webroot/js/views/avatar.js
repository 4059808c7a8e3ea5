// A person's picture wherever a person is shown: their avatar (avatar_url, a public URL of a
// small thumbnail) or, without one, their initials on a colour of their own. Who has which avatar
// comes from what the store loaded: us, the open room's members, our conversations' peers.
import { el } from '../dom.js';
import * as store from '../state.js';

const { state } = store;

/** Only URLs of our server (relative) or of the web: never javascript: or data: from a payload. */
export function safeUrl(url) {
  return typeof url === 'string' && /^(\/|https?:\/\/)/i.test(url) ? url : null;
}

const indexes = new WeakMap(); // a members list as loaded -> Map(user id -> avatar_url)

/** The avatar URL of a user as far as the client knows (null: none, or not known). */
export function avatarUrlOf(userId) {
  const user = store.me();
  if (user && user.id === userId) return user.avatar_url || null;
  const members = state.current && state.members.get(state.current);
  if (members) {
    if (!indexes.has(members)) indexes.set(members, new Map(members.map((m) => [m.user_id, m.avatar_url || null])));
    const index = indexes.get(members);
    if (index.has(userId)) return index.get(userId);
  }
  for (const room of state.rooms.values()) {
    if (room.peer && room.peer.id === userId) return room.peer.avatar_url || null;
  }
  return null;
}

function initials(user) {
  const first = (user.first_name || '').trim();
  const last = (user.last_name || '').trim();
  if (first) return (first[0] + (last ? last[0] : '')).toUpperCase();
  const parts = (user.username || '?').split(/[\s._-]+/).filter(Boolean);
  return ((parts[0] || '?')[0] + (parts[1] ? parts[1][0] : '')).toUpperCase();
}

/** A colour of the user's own (the golden angle spreads neighbouring ids apart). */
function colour(id) {
  const hue = Math.round(((Number(id) || 0) * 137.508) % 360);
  return `hsl(${hue} 50% 30%)`; // white initials at least 4.5:1 on every hue (WCAG 2.2 AA)
}

/**
 * The picture of {id, username, first_name?, last_name?, avatar_url?}, `px` pixels wide: an <img>
 * of the avatar, else the initials in a coloured circle. Decorative: the name is shown beside it.
 */
export function avatar(user, px = 24) {
  const url = safeUrl(user.avatar_url);
  if (url) {
    return el('img', { class: 'avatar', src: url, width: px, height: px, alt: '', 'data-testid': 'avatar',
      dataset: { userId: user.id } });
  }
  const span = el('span', { class: 'avatar initials', 'aria-hidden': 'true', 'data-testid': 'avatar-initials',
    dataset: { userId: user.id } }, initials(user));
  // through the CSSOM: the page's Content-Security-Policy (style-src 'self') refuses style attributes
  Object.assign(span.style, { width: `${px}px`, height: `${px}px`, fontSize: `${Math.round(px * 0.42)}px`, background: colour(user.id) });
  return span;
}

/** The avatar of a message's author (or anyone known only by id). */
export function avatarOf(userId, px = 24) {
  return avatar({ id: userId, username: store.nameOf(userId), avatar_url: avatarUrlOf(userId) }, px);
}
