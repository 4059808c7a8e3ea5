// Attachments in a message: images as thumbnails (sized before they load, so nothing jumps)
// opening the full picture in an overlay, audio as a player, other files as a chip with name,
// size and a download link. An attachment keeps its element across re-renders (the list is
// redrawn on every event), so a voice message goes on playing when a message arrives. Their URLs
// are signed and expire: one that no longer loads is asked for again (GET /attachments/{id}).
import { clock, el, size } from '../dom.js';
import { api } from '../session.js';
import { safeUrl } from './avatar.js';

/** Thumbnails are shown at most this many pixels wide or high. */
const THUMB_BOX = 240;

const nodes = new WeakMap(); // an attachment as stored -> its element
const fresh = new Map();     // attachment id -> the attachment with URLs fetched again

/** The attachments of a message, or null when it has none. */
export function attachmentList(attachments) {
  if (!attachments || !attachments.length) return null;
  return el('div', { class: 'attachments', 'data-testid': 'attachments' }, attachments.map(nodeOf));
}

function nodeOf(a) {
  if (!nodes.has(a)) nodes.set(a, build(a));
  return nodes.get(a);
}

function build(a) {
  if (a.kind === 'image' && safeUrl(a.thumbnail_url || a.url)) return image(a);
  if (a.kind === 'audio' && safeUrl(a.url)) return audio(a);
  return file(a);
}

function latest(a) {
  return fresh.get(a.id) || a;
}

/** Seconds since the epoch when a signed URL stops working, or null. */
function expiry(url) {
  const exp = Number(new URL(url, location.href).searchParams.get('exp'));
  if (!exp) return null;
  return exp > 1e12 ? exp / 1000 : exp; // milliseconds or seconds
}

/** The attachment with URLs that still work for a while (fetched again when expired). */
async function current(a) {
  const known = latest(a);
  const exp = expiry(known.url);
  if (exp === null || exp * 1000 > Date.now() + 10000) return known;
  return refetch(a);
}

async function refetch(a) {
  const again = await api.get(`/attachments/${a.id}`);
  fresh.set(a.id, again);
  return again;
}

/** When the element's URL fails (expired), loads it once more with fresh URLs. */
function retryOnError(node, a, apply) {
  let retried = false;
  node.addEventListener('error', () => {
    if (retried) return;
    retried = true;
    refetch(a).then(apply).catch(() => {});
  });
}

/** Width and height of the thumbnail as shown: the picture's proportions, inside THUMB_BOX. */
function fit(a) {
  if (!a.width || !a.height) return {};
  const k = Math.min(1, THUMB_BOX / Math.max(a.width, a.height));
  return { width: Math.max(1, Math.round(a.width * k)), height: Math.max(1, Math.round(a.height * k)) };
}

function image(a) {
  const img = el('img', { src: safeUrl(a.thumbnail_url) || safeUrl(a.url), alt: a.name || 'image', ...fit(a),
    'data-testid': 'attachment-image' });
  retryOnError(img, a, (again) => { img.src = safeUrl(again.thumbnail_url) || safeUrl(again.url); });
  return el('a', { class: 'attachment image', href: safeUrl(a.url), target: '_blank', rel: 'noopener',
    title: a.name, dataset: { kind: 'image', attachmentId: a.id, testid: 'attachment' },
    onclick: (e) => { e.preventDefault(); current(a).then(openOverlay).catch(() => openOverlay(latest(a))); } }, img);
}

function audio(a) {
  const player = el('audio', { controls: true, preload: 'metadata', src: safeUrl(a.url), title: a.name,
    'data-testid': 'attachment-audio' });
  retryOnError(player, a, (again) => { player.src = safeUrl(again.url); });
  return el('div', { class: 'attachment audio', dataset: { kind: 'audio', attachmentId: a.id, testid: 'attachment' } },
    player, a.duration_ms ? el('small', { class: 'duration' }, clock(a.duration_ms)) : null);
}

function file(a) {
  const link = el('a', { class: 'attachment file', href: safeUrl(a.url), download: a.name || '', rel: 'noopener',
    dataset: { kind: a.kind || 'file', attachmentId: a.id, testid: 'attachment' } },
  el('span', { class: 'icon icon-file', 'aria-hidden': 'true' }),
  el('span', { class: 'file-name', 'data-testid': 'attachment-name' }, a.name || 'file'),
  el('small', { class: 'file-size' }, size(a.size)));
  link.addEventListener('click', async (e) => {
    const known = latest(a);
    const exp = expiry(known.url);
    if (exp === null || exp * 1000 > Date.now() + 10000) { link.href = safeUrl(known.url); return; }
    e.preventDefault(); // expired: download through a fresh URL (Content-Disposition keeps us on the page)
    try {
      location.href = safeUrl((await refetch(a)).url);
    } catch (err) { /* gone: nothing to download */ }
  });
  return link;
}

// ---- the overlay with the full picture ---------------------------------------------------------

let overlay = null;

function closeOverlay() {
  if (overlay) overlay.remove();
  overlay = null;
  document.removeEventListener('keydown', onKey);
}

function onKey(e) {
  if (e.key === 'Escape') closeOverlay();
}

function openOverlay(a) {
  closeOverlay();
  const url = safeUrl(a.url);
  if (!url) return;
  const close = el('button', { type: 'button', class: 'overlay-close', 'aria-label': 'Close', onclick: closeOverlay }, '×');
  overlay = el('div', { class: 'overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': a.name || 'image',
    'data-testid': 'image-overlay', onclick: (e) => { if (e.target === overlay) closeOverlay(); } },
  el('figure', {},
    el('img', { src: url, alt: a.name || 'image', 'data-testid': 'overlay-image' }),
    el('figcaption', {}, a.name || '', ' ', el('a', { href: url, target: '_blank', rel: 'noopener' }, 'Open original'))),
  close);
  document.body.append(overlay);
  document.addEventListener('keydown', onKey);
  close.focus();
}
