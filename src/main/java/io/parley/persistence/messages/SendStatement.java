package io.parley.persistence.messages;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Stores sends in one statement and commit: {@link MessageSql#SEND_MESSAGE} for one,
 * {@link MessageSql#SEND_MESSAGES} (arrays, one element per send) for more. Answers message id → seq
 * for the sends it stored; a send it skipped (not a member, not verified, room gone, repeat, over
 * its author's daily quota) is absent. Fails as PostgreSQL fails the statement (see {@link SendBatcher} for what follows).
 */
final class SendStatement implements Function<List<SendBatcher.Send>, Future<Map<Long, Long>>> {
  private final SqlClient client;
  private final boolean requireVerified;

  /** @param requireVerified whether authors need a verified e-mail address to send */
  SendStatement(SqlClient client, boolean requireVerified) {
    this.client = client;
    this.requireVerified = requireVerified;
  }

  @Override
  public Future<Map<Long, Long>> apply(List<SendBatcher.Send> sends) {
    Future<RowSet<Row>> rows;
    if (sends.size() == 1) {
      SendBatcher.Send s = sends.get(0);
      rows = client.preparedQuery(MessageSql.SEND_MESSAGE).execute(Tuple.of(s.roomId(), s.authorId(), s.clientMsgId(), s.body(),
          requireVerified, s.messageId(), s.createdAt(), s.frame(), s.checkQuota()));
    } else {
      int n = sends.size();
      Long[] rooms = new Long[n];
      Long[] authors = new Long[n];
      String[] clientIds = new String[n];
      String[] bodies = new String[n];
      Long[] ids = new Long[n];
      OffsetDateTime[] times = new OffsetDateTime[n];
      String[] frames = new String[n];
      Boolean[] checks = new Boolean[n];
      for (int i = 0; i < n; i++) {
        SendBatcher.Send s = sends.get(i);
        rooms[i] = s.roomId();
        authors[i] = s.authorId();
        clientIds[i] = s.clientMsgId();
        bodies[i] = s.body();
        ids[i] = s.messageId();
        times[i] = s.createdAt();
        frames[i] = s.frame().encode();
        checks[i] = s.checkQuota();
      }
      rows = client.preparedQuery(MessageSql.SEND_MESSAGES)
          .execute(Tuple.of(rooms, authors, clientIds, bodies, ids, times, frames, requireVerified, checks));
    }
    return rows.map(rs -> {
      Map<Long, Long> seqs = new HashMap<>();
      rs.forEach(r -> seqs.put(r.getLong("id"), r.getLong("seq")));
      return seqs;
    });
  }
}
