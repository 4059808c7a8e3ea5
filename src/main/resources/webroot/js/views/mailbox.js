// The development mailbox (#mailbox-view): the mail this server's SMTP sink received, with its
// links clickable. Offered (the .dev-only links) only where the server runs that sink.
import { $, el, showScreen } from '../dom.js';
import { api } from '../session.js';
import { showError } from './notices.js';

function fetchMailbox() {
  return api.request('GET', '/dev/mailbox', undefined, { auth: false });
}

/** Shows the .dev-only links when the server answers for its mailbox. */
export function offerIfAvailable() {
  fetchMailbox()
    .then(() => document.querySelectorAll('.dev-only').forEach((x) => { x.hidden = false; }))
    .catch(() => {});
}

export async function showMailbox() {
  showScreen('mailbox-view');
  const list = $('#mailbox');
  list.replaceChildren();
  try {
    const box = await fetchMailbox();
    for (const mail of box.items) {
      list.append(el('li', { 'data-testid': 'mail' },
        el('div', {}, el('strong', {}, mail.subject)),
        el('small', {}, `to ${mail.to} · ${mail.received_at ? new Date(mail.received_at).toLocaleString() : ''}`),
        el('pre', {}, ...linkify(mail.text))));
    }
    if (!box.items.length) list.append(el('li', { class: 'empty' }, 'No mail yet.'));
  } catch (e) {
    showError(e);
  }
}

/** Text with its http(s) links as anchors; everything stays text, only the href is set. */
function linkify(text) {
  const parts = [];
  const re = /https?:\/\/[^\s<>"]+/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    parts.push(text.slice(last, m.index));
    parts.push(el('a', { href: m[0], 'data-testid': 'mail-link' }, m[0]));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
