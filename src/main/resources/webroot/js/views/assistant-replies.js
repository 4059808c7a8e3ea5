// The assistant in the open room's messages (views/messages.js draws these): the reply it is
// writing, a draft that grows with every `message.delta` (a blinking caret, and Stop for a reply
// to our own message) until the stored message replaces it; a marker on replies that were stopped
// or broke off; a "bot" badge beside bots' names (here and in the members panel).
import { el } from '../dom.js';
import * as assistant from '../assistant.js';
import * as assistantStore from '../assistant-state.js';
import * as store from '../state.js';
import { avatarOf } from './avatar.js';

/** The drafts being written in a room, as message items after the stored and pending ones. */
export function draftItems(roomId) {
  return assistantStore.draftsOf(roomId).map((d) => el('li', { class: 'message draft',
    dataset: { streamId: d.streamId, testid: 'assistant-draft' }, 'aria-busy': 'true' },
  el('div', { class: 'meta' }, avatarOf(d.authorId), el('strong', {}, store.nameOf(d.authorId)), botBadge(d.authorId),
    el('span', { class: 'state writing' }, d.stopping ? ' stopping…' : ' writing…')),
  el('p', { class: 'body', 'data-testid': 'draft-body' }, d.text),
  d.mine ? el('div', { class: 'tools' }, el('button', { type: 'button', 'data-testid': 'assistant-stop', disabled: d.stopping,
    onclick: () => assistant.stop(roomId, d.streamId) }, el('span', { class: 'icon icon-stop', 'aria-hidden': 'true' }), 'Stop')) : null));
}

const STATUS = {
  cancelled: { text: 'stopped', title: 'Stopped before the end: the text as it stood' },
  error: { text: 'incomplete', title: 'The model failed midway: the text that arrived, then why' },
};

/** The marker of a reply that did not end normally (message.status "cancelled" or "error"), else null. */
export function replyStatus(m) {
  const status = STATUS[m.status];
  return status ? el('span', { class: `reply-status ${m.status}`, title: status.title, 'data-testid': 'reply-status',
    dataset: { status: m.status } }, status.text) : null;
}

/** A small "bot" badge when the user is a bot, else null. */
export function botBadge(userId, isBot = assistantStore.isBot(userId)) {
  return isBot ? el('span', { class: 'bot-badge', 'data-testid': 'bot-badge', title: 'a bot, not a person' }, 'bot') : null;
}
