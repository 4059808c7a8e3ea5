package io.parley.persistence.messages;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.media.AttachmentStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Sends that carry attachments, each in a transaction of its own (not group-committed: they are
 * rare beside text, and the uploads must be claimed in the same transaction): the sender's
 * uploads are locked and checked ({@link AttachmentStore#claim}), the message is stored by the
 * same statement as any send ({@link MessageSql#SEND_MESSAGE}: membership, quota, seq) with their
 * descriptions in its event, and then carries them ({@link AttachmentStore#attach}). Lock order:
 * the uploads, then the room row; nothing else locks unattached uploads and a room.
 */
final class AttachedSends {
  private final Pool pool;
  private final boolean requireVerified;

  AttachedSends(Pool pool, boolean requireVerified) {
    this.pool = pool;
    this.requireVerified = requireVerified;
  }

  /**
   * The {@code attachment_ids} of a send: absent or null → none; otherwise an array of 1 to
   * {@value AttachmentStore#MAX_PER_MESSAGE} distinct positive integers (VALIDATION_FAILED otherwise).
   */
  static List<Long> ids(Object raw) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array)) {
      throw ParleyException.invalid("attachment_ids", "attachment_ids must be an array of attachment ids");
    }
    if (array.size() > AttachmentStore.MAX_PER_MESSAGE) {
      throw new ParleyException(ErrorCode.VALIDATION_FAILED, "a message carries at most " + AttachmentStore.MAX_PER_MESSAGE
          + " attachments", new JsonObject().put("field", "attachment_ids").put("max_items", AttachmentStore.MAX_PER_MESSAGE));
    }
    LinkedHashSet<Long> ids = new LinkedHashSet<>();
    for (Object o : array) {
      if (!(o instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() <= 0) {
        throw ParleyException.invalid("attachment_ids", "attachment_ids must hold positive integers");
      }
      if (!ids.add(n.longValue())) {
        throw ParleyException.invalid("attachment_ids", "attachment " + n.longValue() + " is listed twice");
      }
    }
    return new ArrayList<>(ids);
  }

  /** Stores {@code send} with the uploads {@code ids}: message id → seq, or empty when the send statement skipped it. */
  Future<Map<Long, Long>> store(SendBatcher.Send send, List<Long> ids) {
    return pool.withTransaction(conn -> AttachmentStore.claim(conn, ids, send.authorId()).compose(descriptions -> {
      send.frame().getJsonObject("message").put("attachments", descriptions);
      return new SendStatement(conn, requireVerified).apply(List.of(send)).compose(seqs -> seqs.isEmpty()
          ? Future.succeededFuture(seqs)
          : AttachmentStore.attach(conn, send.messageId(), descriptions).map(x -> seqs));
    }));
  }
}
