package io.parley.persistence.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How the group commit cuts the waiting sends into statements, with a store whose statements the
 * test finishes by hand (the statement itself, against PostgreSQL, is {@link SendBatcherTest}'s):
 * a send is stored at once while fewer than two statements are in flight; behind two, sends wait
 * and go together, in order, when one is stored; a room is never in two statements at once.
 */
@DisplayName("Group commit: when a batch starts")
class SendBatchingTest {
  /** A statement the test has not finished yet: its sends and its outcome. */
  private record Statement(List<SendBatcher.Send> sends, Promise<Map<Long, Long>> outcome) {
    void store() {
      Map<Long, Long> seqs = new HashMap<>();
      sends.forEach(s -> seqs.put(s.messageId(), s.messageId() * 10));
      outcome.complete(seqs);
    }
  }

  private final List<Statement> statements = new ArrayList<>();

  private SendBatcher batcher(int maxBatch) {
    return new SendBatcher(maxBatch, sends -> {
      Statement st = new Statement(List.copyOf(sends), Promise.promise());
      statements.add(st);
      return st.outcome().future();
    });
  }

  private static SendBatcher.Send send(long room, long id) {
    return new SendBatcher.Send(room, 7, "c" + id, "hello", id, OffsetDateTime.now(), new JsonObject(), false);
  }

  @Test
  @DisplayName("Two statements in flight at most: the sends behind them go together, in order, when one is stored")
  void waitingSendsGoTogether() {
    SendBatcher batcher = batcher(128);
    Future<Long> first = batcher.submit(send(1, 1));
    Future<Long> second = batcher.submit(send(2, 2));
    assertEquals(2, statements.size(), "two sends, two statements at once");

    List<Future<Long>> waiting = new ArrayList<>();
    for (long id = 3; id <= 7; id++) {
      waiting.add(batcher.submit(send(id, id)));
    }
    assertEquals(2, statements.size(), "behind two statements, sends wait");
    assertEquals(5, batcher.queued());

    statements.get(0).store();
    assertEquals(10L, first.result());
    assertEquals(3, statements.size(), "the waiting sends go together once one is stored");
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L), statements.get(2).sends().stream().map(SendBatcher.Send::messageId).toList());

    statements.get(1).store();
    statements.get(2).store();
    assertEquals(20L, second.result());
    for (int i = 0; i < waiting.size(); i++) {
      assertEquals((3L + i) * 10, waiting.get(i).result());
    }
    assertEquals(0, batcher.queued());
  }

  @Test
  @DisplayName("A send to a room whose statement is in flight waits for it, even with a statement free")
  void roomNeverInTwoStatements() {
    SendBatcher batcher = batcher(128);
    batcher.submit(send(1, 1));
    Future<Long> sameRoom = batcher.submit(send(1, 2));
    assertEquals(1, statements.size(), "room 1 is in flight: its next send waits");
    Future<Long> otherRoom = batcher.submit(send(2, 3));
    assertEquals(2, statements.size(), "another room's send goes at once");
    assertEquals(List.of(3L), statements.get(1).sends().stream().map(SendBatcher.Send::messageId).toList());
    statements.get(0).store();
    assertEquals(List.of(2L), statements.get(2).sends().stream().map(SendBatcher.Send::messageId).toList());
    statements.get(1).store();
    statements.get(2).store();
    assertEquals(20L, sameRoom.result());
    assertEquals(30L, otherRoom.result());
  }

  @Test
  @DisplayName("send_batch_max caps a statement: the sends beyond it wait for the next")
  void batchMaxCapsAStatement() {
    SendBatcher batcher = batcher(2);
    List<Future<Long>> sends = new ArrayList<>();
    for (long id = 1; id <= 5; id++) {
      sends.add(batcher.submit(send(id, id)));
    }
    assertEquals(List.of(1, 1), statements.stream().map(st -> st.sends().size()).toList());
    statements.get(0).store();
    assertEquals(List.of(3L, 4L), statements.get(2).sends().stream().map(SendBatcher.Send::messageId).toList());
    statements.get(1).store();
    assertEquals(List.of(5L), statements.get(3).sends().stream().map(SendBatcher.Send::messageId).toList());
    statements.get(2).store();
    statements.get(3).store();
    assertEquals(List.of(10L, 20L, 30L, 40L, 50L), sends.stream().map(Future::result).toList());
  }
}
