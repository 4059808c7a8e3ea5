// A search hit's snippet, read without trusting it as HTML. The server escapes the message text
// and adds only <mark>…</mark> around the matched words; this reads exactly that and nothing more:
// the text between the tags is decoded (&lt; &gt; &amp; &quot; &#39;, once) and any other markup
// stays literal text. The views build text nodes and <mark> elements from the parts, never HTML.

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" };

/** Decodes the five entities the server escapes with, in one pass ("&amp;lt;" reads "&lt;"). */
export function decodeEntities(text) {
  return text.replace(/&(?:lt|gt|amp|quot|#39);/g, (e) => ENTITIES[e]);
}

/**
 * The snippet as parts in order, each {text, marked}: marked where it stood inside <mark>…</mark>.
 * Tags that do not pair up are dropped; empty parts are left out.
 */
export function snippetParts(html) {
  const parts = [];
  let depth = 0;
  for (const token of String(html || '').split(/(<mark>|<\/mark>)/)) {
    if (token === '<mark>') depth += 1;
    else if (token === '</mark>') depth = Math.max(0, depth - 1);
    else if (token) parts.push({ text: decodeEntities(token), marked: depth > 0 });
  }
  return parts;
}
