// The store's assistant part: who the assistant is and whether it is on here (GET /assistant),
// the replies it is writing (drafts grown from `message.delta` events until the stored message
// with the same stream_id replaces them) and its refusals to answer us (`assistant.error`).
// No DOM and no network: assistant.js and session.js feed it, the views draw from `assistant`.
//
// Topics (announced through state.js's listeners):
//   'assistant'         what we know of the assistant changed (loaded, found off)
//   'assistant.notice'  a refusal for us appeared or was dismissed (room id)
//   'messages'          a draft grew, stopped or was replaced ({roomId})
import { announce, isMine, state } from './state.js';

/** A draft with no news for this long is dropped (its stored message comes by replay if it was missed). */
const DRAFT_GUARD_MS = 60000;

export const assistant = {
  info: null,            // {user_id, username, configured, model}, null until loaded (or when it cannot be)
  drafts: new Map(),     // room id -> Map(stream_id -> {authorId, text, mine, stopping, guard})
  finished: new Set(),   // stream ids already stored: late deltas of them are ignored
  notices: new Map(),    // room id -> {code, message}: the last refusal for us there
};

export function infoLoaded(info) {
  assistant.info = info;
  announce('assistant');
}

/** POST /assistant/conversation answered ASSISTANT_NOT_CONFIGURED: the server turned it off. */
export function foundOff() {
  assistant.info = { ...(assistant.info || {}), configured: false, model: null };
  announce('assistant');
}

export function configured() {
  return !!assistant.info && assistant.info.configured !== false;
}

// ---- reading -------------------------------------------------------------------------------

/** Whether a user is a bot: the assistant, or marked is_bot where the store met them. */
export function isBot(userId) {
  if (userId === null || userId === undefined) return false;
  if (assistant.info && assistant.info.user_id === userId) return true;
  for (const room of state.rooms.values()) {
    if (room.peer && room.peer.id === userId) return room.peer.is_bot === true;
  }
  const members = state.current && state.members.get(state.current);
  return !!members && members.some((m) => m.user_id === userId && m.is_bot === true);
}

/** Our conversation with the assistant, when the store knows it. */
export function conversation() {
  for (const room of state.rooms.values()) {
    if (room.kind === 'direct' && room.peer && (room.peer.is_bot || (assistant.info && room.peer.id === assistant.info.user_id))) return room;
  }
  return null;
}

/** The drafts being written in a room, oldest first: [{streamId, authorId, text, mine, stopping}]. */
export function draftsOf(roomId) {
  const drafts = assistant.drafts.get(roomId);
  return drafts ? [...drafts].map(([streamId, d]) => ({ streamId, ...d })) : [];
}

// ---- live events ---------------------------------------------------------------------------

/**
 * Applies what concerns the assistant in an event frame: a delta, a refusal, or the stored reply
 * (which also goes through state.js). Answers true when the frame is the assistant's alone.
 */
export function applyEvent(frame) {
  switch (frame.type) {
    case 'message.delta': deltaArrived(frame); return true;
    case 'assistant.error': refused(frame); return true;
    case 'message.created':
      if (frame.stream_id || (frame.message && frame.message.stream_id)) replyStored(frame.room_id, frame.stream_id || frame.message.stream_id);
      return false;
    default: return false;
  }
}

function deltaArrived(frame) {
  if (!state.rooms.has(frame.room_id) || assistant.finished.has(frame.stream_id)) return;
  if (!assistant.drafts.has(frame.room_id)) assistant.drafts.set(frame.room_id, new Map());
  const drafts = assistant.drafts.get(frame.room_id);
  let draft = drafts.get(frame.stream_id);
  if (!draft) {
    draft = { authorId: frame.author_id, text: '', mine: answersUs(frame.room_id), stopping: false, guard: null };
    drafts.set(frame.stream_id, draft);
  }
  draft.text += typeof frame.delta === 'string' ? frame.delta : '';
  clearTimeout(draft.guard);
  draft.guard = setTimeout(() => dropDraft(frame.room_id, frame.stream_id), DRAFT_GUARD_MS);
  announce('messages', { roomId: frame.room_id });
}

/**
 * Whether the reply answers one of our messages (only then may we stop it): in our conversation
 * with the assistant always; in a group room when the newest message there is ours.
 */
function answersUs(roomId) {
  const room = state.rooms.get(roomId);
  if (room && room.kind === 'direct') return true;
  const messages = state.messages.get(roomId);
  if (!messages) return false;
  let newest = null;
  for (const m of messages.byId.values()) if (!newest || m.seq > newest.seq) newest = m;
  return !!newest && isMine(newest.author_id);
}

function replyStored(roomId, streamId) {
  assistant.finished.add(streamId);
  if (assistant.finished.size > 200) assistant.finished.delete(assistant.finished.values().next().value);
  dropDraft(roomId, streamId);
}

function dropDraft(roomId, streamId) {
  const drafts = assistant.drafts.get(roomId);
  if (!drafts || !drafts.has(streamId)) return;
  clearTimeout(drafts.get(streamId).guard);
  drafts.delete(streamId);
  if (!drafts.size) assistant.drafts.delete(roomId);
  announce('messages', { roomId });
}

/** We asked to stop a draft: its Stop button waits for the stored reply. */
export function stopping(roomId, streamId, yes = true) {
  const draft = assistant.drafts.get(roomId) && assistant.drafts.get(roomId).get(streamId);
  if (!draft) return;
  draft.stopping = yes;
  announce('messages', { roomId });
}

/** The connection dropped: deltas sent meanwhile are lost, so drafts would read wrong. */
export function connectionLost() {
  for (const [roomId, drafts] of [...assistant.drafts]) {
    for (const streamId of [...drafts.keys()]) dropDraft(roomId, streamId);
  }
}

function refused(frame) {
  if (!isMine(frame.user_id) || !state.rooms.has(frame.room_id)) return;
  assistant.notices.set(frame.room_id, { code: frame.code, message: frame.message || '' });
  announce('assistant.notice', frame.room_id);
}

export function noticeDismissed(roomId) {
  assistant.notices.delete(roomId);
  announce('assistant.notice', roomId);
}
