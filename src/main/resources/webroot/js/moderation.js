// Who may moderate, and who removed a message. Moderators and admins delete any message (the
// server audits it); `message.deleted` events say who did it in `deleted_by` {user_id, role},
// outside the message: it is kept on the message here so that the views can say "removed by a
// moderator". Tombstones in history pages carry deleted_by too (those deleted before V11 do not).
// No DOM and no network.
import { isMine, me } from './state.js';

const MODERATING = new Set(['moderator', 'admin']);

/** Whether the signed-in user may delete anyone's message. */
export function canModerate() {
  const user = me();
  return Boolean(user && MODERATING.has(user.role));
}

/** Whether the signed-in user runs the service (the admin area; moderators only delete). */
export function isAdmin() {
  const user = me();
  return Boolean(user && user.role === 'admin');
}

/** A `message.deleted` event: its deleted_by goes along with the message into the store. */
export function keepDeleter(frame) {
  if (frame.type === 'message.deleted' && frame.deleted_by && frame.message) frame.message.deleted_by = frame.deleted_by;
}

/** The message of our own delete's ack: marked as a moderator's removal when it was not ours. */
export function deletedByMe(message) {
  const user = me();
  if (user && message.deleted && !isMine(message.author_id) && MODERATING.has(user.role)) {
    message.deleted_by = { user_id: user.id, role: user.role };
  }
  return message;
}

/** Whether a moderator or an admin removed this (someone else's) message. */
export function removedByModerator(m) {
  return Boolean(m.deleted && m.deleted_by && MODERATING.has(m.deleted_by.role));
}
