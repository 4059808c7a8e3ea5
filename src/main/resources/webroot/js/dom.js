// DOM helpers shared by the views: finding and building elements (children are always text
// nodes or elements, never HTML), which screen of the page is shown, small formatting. Knows
// nothing of the store or the server.

export const $ = (sel) => document.querySelector(sel);

/** An element with attributes (`on…` adds a listener, `dataset` fills data-*) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SCREENS = ['auth-view', 'chat-view', 'mailbox-view', 'token-view'];

/** Shows one screen of the page (see index.html) and hides the others. */
export function showScreen(id) {
  for (const screen of SCREENS) document.getElementById(screen).hidden = screen !== id;
}

/** The dot beside a person: filled green when online, a grey ring when not (and named for screen readers). */
export function presenceDot(online) {
  return el('span', { class: `dot${online ? ' online' : ''}`, 'data-testid': 'presence-dot', role: 'img',
    'aria-label': online ? 'online' : 'offline', 'data-online': online ? 'true' : 'false', title: online ? 'online' : 'offline' });
}

/** Hours and minutes of a timestamp, in the reader's locale. */
export function time(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** When a moment comes, in the reader's time zone: "today at 01:00", "tomorrow at 01:00" or a date. */
export function when(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(at) - day(new Date())) / 86400000);
  const hm = time(iso);
  if (days === 0) return `today at ${hm}`;
  if (days === 1) return `tomorrow at ${hm}`;
  return `${at.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })} at ${hm}`;
}

/** A date in the reader's locale (e.g. a subscription's period end). */
export function date(iso) {
  return iso ? new Date(iso).toLocaleDateString([], { day: 'numeric', month: 'long', year: 'numeric' }) : '';
}

/** A size in bytes for people: "812 B", "14 KB", "3.2 MB" (powers of 1024). */
export function size(bytes) {
  if (typeof bytes !== 'number' || !(bytes >= 0)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return `${unit === 0 || n >= 10 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`;
}

/** A duration as m:ss ("0:07", "12:30"). */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
