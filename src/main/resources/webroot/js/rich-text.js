// A message's text as DOM nodes: a small, safe subset of Markdown (CommonMark's notation for
// what it covers: https://spec.commonmark.org/) plus links and mentions. Built with
// createElement and text nodes only, never innerHTML, so no text a sender types becomes markup
// other than these elements: <pre><code> (``` fenced blocks), <blockquote> (lines starting
// with "> "), <code> (`code`), <strong> (**bold** or __bold__), <em> (*italic* or _italic_),
// <a> (http, https and www. addresses: rel="noopener noreferrer", a new tab, no other scheme
// ever, so no javascript:) and <span class="mention"> (@username; class "mention mention-me" for ours).
// Anything else, unclosed markers included, stays text as typed. No network, no store.
import { el } from './dom.js';

/** The block nodes of `text` (for a message body whose CSS keeps line breaks: white-space: pre-wrap). */
export function richText(text, myName = '') {
  const lines = String(text).split('\n');
  const nodes = [];
  let plain = [];
  const flush = () => {
    if (plain.length) nodes.push(el('span', { class: 'md-text' }, inline(plain.join('\n'), myName)));
    plain = [];
  };
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*```/.test(lines[i])) { // a fenced code block, to its closing fence or the end
      flush();
      const code = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) code.push(lines[i]);
      nodes.push(el('pre', { class: 'md-code' }, el('code', {}, code.join('\n'))));
    } else if (/^>( |$)/.test(lines[i])) { // a quote: this line and the quoted ones after it
      flush();
      const quoted = [];
      for (; i < lines.length && /^>( |$)/.test(lines[i]); i++) quoted.push(lines[i].replace(/^> ?/, ''));
      i--;
      nodes.push(el('blockquote', { class: 'md-quote' }, inline(quoted.join('\n'), myName)));
    } else {
      plain.push(lines[i]);
    }
  }
  flush();
  return nodes;
}

// Inline tokens, tried at each position; the earliest match wins (the first listed on a tie).
const TOKENS = [
  { kind: 'code', re: /`([^`\n]+)`/g },
  { kind: 'link', re: /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi },
  { kind: 'strong', re: /(?<![A-Za-z0-9])(\*\*|__)(?=\S)([\s\S]*?\S)\1(?![A-Za-z0-9])/g },
  { kind: 'em', re: /(?<![A-Za-z0-9])(\*|_)(?=[^\s*_])([^*_\n]*?[^\s*_])\1(?![A-Za-z0-9])/g },
  { kind: 'mention', re: /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{3,32})/g },
];

/** Inline nodes of a run of text: code, links, bold, italic and mentions; the rest as text. */
function inline(text, myName) {
  const out = [];
  let at = 0;
  // each kind's next match, kept while it lies ahead: a long text is scanned once per kind, not once per token
  const next = new Map();
  while (at < text.length) {
    let best = null;
    for (const t of TOKENS) {
      let m = next.get(t);
      if (m === undefined || (m !== null && m.index < at)) {
        t.re.lastIndex = at;
        m = t.re.exec(text);
        next.set(t, m);
      }
      if (m && (!best || m.index < best.m.index)) best = { t, m };
    }
    if (!best) break;
    const { t, m } = best;
    const lead = t.kind === 'mention' ? m[1].length : 0; // the character before @ is text
    if (m.index + lead > at) out.push(text.slice(at, m.index + lead));
    const node = build(t.kind, m, myName);
    out.push(node.node);
    at = m.index + lead + node.used;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function build(kind, m, myName) {
  switch (kind) {
    case 'code':
      return { node: el('code', {}, m[1]), used: m[0].length };
    case 'strong':
      return { node: el('strong', {}, inline(m[2], myName)), used: m[0].length };
    case 'em':
      return { node: el('em', {}, inline(m[2], myName)), used: m[0].length };
    case 'mention': {
      const name = m[2].replace(/[.-]+$/, ''); // a full stop after a name ends the sentence, not the name
      const mine = Boolean(myName) && name.toLowerCase() === myName.toLowerCase();
      return { node: el('span', { class: `mention${mine ? ' mention-me' : ''}`, 'data-testid': 'mention', dataset: { username: name } }, `@${name}`),
        used: name.length + 1 };
    }
    default: { // link
      const shown = trimAddress(m[0]);
      const href = safeHref(shown);
      return { node: href ? el('a', { href, rel: 'noopener noreferrer', target: '_blank', 'data-testid': 'message-link' }, shown) : shown,
        used: shown.length };
    }
  }
}

/** An address without the punctuation that ends the sentence around it ("see https://x.org." → https://x.org). */
function trimAddress(url) {
  let u = url.replace(/[.,;:!?*_~]+$/, '');
  while (u.endsWith(')') && (u.match(/\(/g) || []).length < (u.match(/\)/g) || []).length) u = u.slice(0, -1);
  return u;
}

/** The href of an address: http(s) only, as the URL parser reads it; null for anything else. */
function safeHref(shown) {
  try {
    const url = new URL(/^www\./i.test(shown) ? `https://${shown}` : shown);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
