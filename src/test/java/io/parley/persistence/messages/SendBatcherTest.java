package io.parley.persistence.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The group commit against the real PostgreSQL, with a send that gets past validation but that
 * the statement refuses: the batch is split, only that send fails, the rest are stored in order.
 */
@DisplayName("Group commit with a send the database refuses")
@ExtendWith(ClusterExtension.class)
class SendBatcherTest {
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void setUp(TestCluster cluster) {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(4))
        .connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
  }

  @AfterEach
  void tearDown() {
    Api.await(pool.close());
    Api.await(vertx.close());
  }

  private record Outcome(String room, int index, Long seq, Throwable failure) {}

  @Test
  @DisplayName("A NUL body in a burst of other users' sends: only it is refused, the others are stored in order, gap-free")
  void poisonSendIsSplitOut(TestCluster cluster) {
    Api api = new Api(cluster.a().node().vertx(), cluster.a().apiPort());
    JsonObject[] users = {api.newUser("bat_a"), api.newUser("bat_b"), api.newUser("bat_c")};
    long[] rooms = new long[3];
    for (int i = 0; i < 3; i++) {
      rooms[i] = api.newRoom(users[i], false).getLong("id");
    }
    int perRoom = 40;
    int poisonAt = 50; // in the middle of the burst, so it shares a batch with other users' sends
    List<Long> ids = Api.await(pool.preparedQuery(MessageSql.MESSAGE_IDS).execute(Tuple.of(3 * perRoom + 1)))
        .stream().map(r -> r.getLong("id")).toList();

    SendBatcher batcher = new SendBatcher(128, new SendStatement(pool, false));
    List<Future<Outcome>> outcomes = new ArrayList<>();
    Promise<Void> submitted = Promise.promise();
    vertx.runOnContext(v -> { // the batcher lives on one event loop; submit the whole burst at once
      int n = 0;
      for (int k = 0; k < perRoom; k++) {
        for (int r = 0; r < 3; r++) {
          if (n == poisonAt) {
            outcomes.add(submit(batcher, rooms[0], users[0].getLong("id"), "poison", "bad \u0000 body", ids.get(n), -1));
            n++;
          }
          outcomes.add(submit(batcher, rooms[r], users[r].getLong("id"), "m" + k, "message " + k, ids.get(n), k));
          n++;
        }
      }
      submitted.complete();
    });
    Api.await(submitted.future());
    List<Outcome> all = Api.await(Future.all(outcomes)).list();

    assertTrue(batcher.splits() >= 1, "the batch holding the poison was split");
    Map<String, TreeMap<Integer, Long>> seqsByRoom = new java.util.HashMap<>();
    for (Outcome o : all) {
      if (o.index() < 0) {
        PgException pg = assertInstanceOf(PgException.class, o.failure(), "the poison is refused by the database");
        assertTrue(pg.getSqlState().startsWith("22"), "a data error: " + pg.getSqlState());
      } else {
        assertEquals(null, o.failure(), "every other send is stored");
        seqsByRoom.computeIfAbsent(o.room(), x -> new TreeMap<>()).put(o.index(), o.seq());
      }
    }
    for (int r = 0; r < 3; r++) {
      TreeMap<Integer, Long> seqs = seqsByRoom.get(String.valueOf(rooms[r]));
      assertEquals(perRoom, seqs.size());
      for (int k = 0; k < perRoom; k++) {
        assertEquals(k + 1L, seqs.get(k), "room " + r + ": sends keep their order and seqs have no gap");
      }
      List<Row> stored = new ArrayList<>();
      Api.await(pool.preparedQuery("SELECT seq, body FROM messages WHERE room_id = $1 ORDER BY seq")
          .execute(Tuple.of(rooms[r]))).forEach(stored::add);
      assertEquals(perRoom, stored.size(), "the poison was not stored");
      for (int k = 0; k < perRoom; k++) {
        assertEquals("message " + k, stored.get(k).getString("body"));
      }
      long lastSeq = Api.await(pool.preparedQuery("SELECT last_seq FROM rooms WHERE id = $1").execute(Tuple.of(rooms[r])))
          .iterator().next().getLong("last_seq");
      assertEquals(perRoom, lastSeq, "the room's head is its last stored seq");
    }
  }

  private static Future<Outcome> submit(SendBatcher batcher, long roomId, long authorId, String clientMsgId, String body,
                                        long messageId, int index) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    JsonObject frame = new JsonObject().put("type", "message.created").put("room_id", roomId).put("seq", 0)
        .put("message", new JsonObject().put("id", messageId).put("body", body));
    String room = String.valueOf(roomId);
    return batcher.submit(new SendBatcher.Send(roomId, authorId, clientMsgId, body, messageId, now, frame, false))
        .map(seq -> new Outcome(room, index, seq, null))
        .otherwise(err -> new Outcome(room, index, null, err));
  }
}
