package io.parley.persistence.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.bus.Addresses;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code events.heads}, the gateway's tail check's question: many rooms' stream heads in one request. */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Stream heads (events.heads)")
class StreamHeadsTest {

  private static JsonObject ask(Bus bus, Object roomIds) throws Exception {
    Future<JsonObject> f = bus.request(Addresses.EVENTS_HEADS, new JsonObject().put("room_ids", roomIds), "test-heads");
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void assertInvalid(Bus bus, Object roomIds) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> ask(bus, roomIds));
    ParleyException pe = assertInstanceOf(ParleyException.class, e.getCause());
    assertEquals(ErrorCode.VALIDATION_FAILED, pe.code(), pe.getMessage());
  }

  @Test
  @DisplayName("each existing room's last seq; unknown rooms left out; a bad list refused")
  void headsOfManyRooms(Vertx vertx, TestCluster cluster) throws Exception {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject ann = api.newUser("heads");
    long quiet = api.newRoom(ann, false).getLong("id");
    long busy = api.newRoom(ann, false).getLong("id");
    api.send(ann, busy, "one");
    api.send(ann, busy, "two");
    Bus bus = new Bus(cluster.a().node().vertx(), 5000);
    long quietHead = ask(bus, new JsonArray().add(quiet)).getJsonObject("heads").getLong(String.valueOf(quiet));

    JsonObject heads = ask(bus, new JsonArray().add(quiet).add(busy).add(Long.MAX_VALUE)).getJsonObject("heads");
    assertEquals(2, heads.size(), heads.encode());
    assertEquals(quietHead, heads.getLong(String.valueOf(quiet)));
    assertEquals(quietHead + 2, heads.getLong(String.valueOf(busy)), "a room's head moves with its events: " + heads);
    assertFalse(heads.containsKey(String.valueOf(Long.MAX_VALUE)));
    assertEquals(0, ask(bus, new JsonArray()).getJsonObject("heads").size());

    assertInvalid(bus, null);
    assertInvalid(bus, "1,2");
    assertInvalid(bus, new JsonArray().add(busy).add("x"));
    assertInvalid(bus, new JsonArray(LongStream.rangeClosed(1, Addresses.EVENTS_HEADS_MAX + 1).boxed().toList()));
    assertEquals(quietHead + 2, ask(bus, new JsonArray().add(busy)).getJsonObject("heads").getLong(String.valueOf(busy)),
        "still answering after bad requests");
  }
}
