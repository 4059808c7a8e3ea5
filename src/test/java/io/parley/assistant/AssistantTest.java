package io.parley.assistant;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.FakeModel;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The assistant: streamed replies from an OpenAI-compatible model (a fake one)")
class AssistantTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api a;
  private Api b;
  private FakeModel fake;
  private long botId;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort());
    fake = TestCluster.model().reset().delay(10);
  }

  private static String token(JsonObject user) {
    return user.getString("access_token");
  }

  private long conversation(JsonObject user) {
    JsonObject status = a.call("getAssistant", GET, "/assistant", token(user), null).expect(200).json();
    assertTrue(status.getBoolean("configured"));
    botId = status.getLong("user_id");
    return a.call("openAssistantConversation", POST, "/assistant/conversation", token(user), null).expect(201).json().getLong("id");
  }

  private static JsonObject send(long room, String body) {
    return new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", UUID.randomUUID().toString())
        .put("body", body);
  }

  /** The deltas a socket got until the assistant's stored reply, and that reply's frame. */
  private record Streamed(List<JsonObject> deltas, JsonObject created) {
    String text() {
      StringBuilder s = new StringBuilder();
      deltas.forEach(d -> s.append(d.getString("delta")));
      return s.toString();
    }
  }

  private Streamed reply(Ws ws) {
    List<JsonObject> deltas = new ArrayList<>();
    while (true) {
      JsonObject f = ws.next(x -> "message.delta".equals(x.getString("type"))
          || "message.created".equals(x.getString("type")) && x.getJsonObject("message").getLong("author_id") == botId,
          "the assistant's reply");
      if ("message.delta".equals(f.getString("type"))) {
        deltas.add(f);
      } else {
        return new Streamed(deltas, f);
      }
    }
  }

  private static JsonObject subscribe(long room) {
    return new JsonObject().put("type", "subscribe").put("room_id", room);
  }

  @Test
  @DisplayName("a message in the user's conversation is stored, the reply streams as deltas to both nodes, then is stored once with the stream_id")
  void streamedReplyAcrossNodes() {
    JsonObject ann = a.newUser("ann");
    long room = conversation(ann);
    assertEquals(room, a.call("openAssistantConversation", POST, "/assistant/conversation", token(ann), null).expect(200).json()
        .getLong("id"), "one conversation per user");
    try (Ws onA = Ws.open(vertx, cluster.a().gatewayPort(), token(ann));
         Ws onB = Ws.open(vertx, cluster.b().gatewayPort(), token(ann))) {
      assertEquals("subscribed", onA.request(subscribe(room)).getString("type"));
      assertEquals("subscribed", onB.request(subscribe(room)).getString("type"));
      fake.reply("Hel", "lo, ", "Ann — ", "✓ été");
      assertEquals("message.ack", onA.request(send(room, "hi there")).getString("type"));
      for (Ws ws : List.of(onA, onB)) {
        Streamed s = reply(ws);
        assertEquals(List.of("Hel", "lo, ", "Ann — ", "✓ été"), s.deltas().stream().map(d -> d.getString("delta")).toList(),
            "deltas in order");
        String streamId = s.created().getString("stream_id");
        assertTrue(s.deltas().stream().allMatch(d -> streamId.equals(d.getString("stream_id"))));
        JsonObject stored = s.created().getJsonObject("message");
        assertEquals("Hello, Ann — ✓ été", stored.getString("body"), "the stored reply is the deltas joined");
        assertEquals(streamId, stored.getString("stream_id"));
        assertNull(stored.getValue("status"));
      }
      JsonObject sent = fake.awaitRequests(1).get(0).body();
      assertEquals("fake-model", sent.getString("model"));
      assertEquals(true, sent.getBoolean("stream"));
      JsonArray messages = sent.getJsonArray("messages");
      assertEquals("system", messages.getJsonObject(0).getString("role"));
      assertTrue(messages.getJsonObject(0).getString("content").startsWith("You are Assistant"));
      assertEquals(new JsonObject().put("role", "user").put("content", "hi there"), messages.getJsonObject(messages.size() - 1));

      fake.reply("Second", " answer");
      onA.request(send(room, "and again?"));
      assertEquals("Second answer", reply(onA).created().getJsonObject("message").getString("body"));
      JsonArray history = fake.awaitRequests(2).get(1).body().getJsonArray("messages");
      assertEquals(List.of("system:", "user:hi there", "assistant:Hello, Ann — ✓ été", "user:and again?"),
          history.stream().map(JsonObject.class::cast).map(m -> m.getString("role") + ":"
              + (m.getString("role").equals("system") ? "" : m.getString("content"))).toList(), "the history, oldest first");
    }
    JsonArray stored = b.history(ann, room, "").getJsonArray("items");
    assertEquals(4, stored.size(), "two messages and two replies, nothing else");
    assertTrue(stored.getJsonObject(1).containsKey("stream_id"), "history carries the reply's stream_id");
  }

  @Test
  @DisplayName("without assistant.base_url the assistant is off: ASSISTANT_NOT_CONFIGURED, and GET /assistant says so")
  void offWithoutBaseUrl() {
    int apiPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "none", "assistant-off", apiPort, TestCluster.freePort());
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("persistence").add("assistant"));
    cfg.getJsonObject("assistant").put("base_url", "");
    io.parley.ParleyNode node = Api.await(io.parley.ParleyNode.start(io.parley.config.ParleyConfig.of(cfg)));
    try {
      Api off = new Api(vertx, apiPort);
      JsonObject gil = off.newUser("gil");
      JsonObject status = off.call("getAssistant", GET, "/assistant", token(gil), null).expect(200).json();
      assertEquals(false, status.getBoolean("configured"));
      assertNull(status.getValue("model"));
      off.call("openAssistantConversation", POST, "/assistant/conversation", token(gil), null)
          .problem(503, "ASSISTANT_NOT_CONFIGURED");
    } finally {
      Api.await(node.close());
    }
  }

  @Test
  @DisplayName("a model failing midway, a stalled model and a cancel each end with one stored reply in the documented state")
  void failureStallAndCancel() {
    JsonObject bea = a.newUser("bea");
    long room = conversation(bea);
    try (Ws ws = Ws.open(vertx, cluster.a().gatewayPort(), token(bea))) {
      ws.request(subscribe(room));
      fake.failAfter(List.of("Half ", "an answer"));
      ws.request(send(room, "fail please"));
      JsonObject failed = reply(ws).created().getJsonObject("message");
      assertEquals("error", failed.getString("status"));
      assertTrue(failed.getString("body").startsWith("Half an answer\n\n[The assistant could not finish: "), failed.getString("body"));

      fake.stallAfter(List.of("Slow"));
      ws.request(send(room, "stall please"));
      JsonObject stalled = reply(ws).created().getJsonObject("message");
      assertEquals("error", stalled.getString("status"));
      assertTrue(stalled.getString("body").startsWith("Slow\n\n[The assistant could not finish: the model stalled"), stalled.getString("body"));

      List<String> many = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        many.add("word" + i + " ");
      }
      fake.delay(20).reply(many);
      ws.request(send(room, "talk a lot"));
      JsonObject first = ws.next(f -> "message.delta".equals(f.getString("type")), "a first delta");
      JsonObject ack = ws.request(new JsonObject().put("type", "assistant.cancel").put("room_id", room)
          .put("stream_id", first.getString("stream_id")));
      assertEquals("assistant.cancel.ack", ack.getString("type"));
      Streamed rest = reply(ws);
      JsonObject cancelled = rest.created().getJsonObject("message");
      assertEquals("cancelled", cancelled.getString("status"));
      String received = first.getString("delta") + rest.text();
      assertTrue(cancelled.getString("body").startsWith(received), "the text as it stood, every delta sent: " + cancelled.getString("body"));
      assertTrue(cancelled.getString("body").length() < String.join("", many).length(), "stopped before the end");
      fake.awaitClosedByClient(2);

      fake.delay(10).reply("still", " here");
      ws.request(send(room, "are you ok?"));
      assertEquals("still here", reply(ws).created().getJsonObject("message").getString("body"), "the room stays usable");
    }
    assertEquals(8, a.history(bea, room, "").getJsonArray("items").size(), "four messages, four replies: nothing else stored");
  }

  @Test
  @DisplayName("in a group room it answers only when it is a member and mentioned, never itself")
  void mentionsInGroupRooms() {
    JsonObject cat = a.newUser("cat");
    JsonObject dan = a.newUser("dan");
    conversation(cat); // learns the bot's id
    long withBot = a.sharedRoom(cat, dan);
    long withoutBot = a.sharedRoom(cat, dan);
    a.call("addMember", POST, "/rooms/" + withBot + "/members", token(cat), new JsonObject().put("user_id", botId)).expect(201);
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), token(dan))) {
      ws.request(subscribe(withBot));
      ws.request(send(withBot, "no mention here, assistant"));
      ws.request(send(withoutBot, "@assistant you are not in this room"));
      ws.request(send(withBot, "an e-mail like me@assistant.example is no mention"));
      fake.reply("At", " your service");
      ws.request(send(withBot, "@Assistant what time is it?"));
      Streamed s = reply(ws);
      assertEquals("At your service", s.created().getJsonObject("message").getString("body"));
      assertEquals(1, fake.awaitRequests(1).size());
      JsonArray context = fake.requests().get(0).getJsonArray("messages");
      assertEquals("user", context.getJsonObject(context.size() - 1).getString("role"));
      assertEquals("@Assistant what time is it?", context.getJsonObject(context.size() - 1).getString("content"));
      // a later mention is answered too, and the only requests the model got are these two: the
      // unmentioned messages, the other room and the bot's own replies asked for nothing
      fake.reply("Again");
      ws.request(send(withBot, "thanks @assistant"));
      assertEquals("Again", reply(ws).created().getJsonObject("message").getString("body"));
      assertEquals(2, fake.requests().size());
    }
  }

  @Test
  @DisplayName("over the plan's daily assistant replies, and while a reply streams, the message is stored and an assistant.error says why")
  void limitAndBusy() {
    JsonObject eve = a.newUser("eve");
    long room = conversation(eve);
    try (Ws ws = Ws.open(vertx, cluster.a().gatewayPort(), token(eve))) {
      ws.request(subscribe(room));
      List<String> slow = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        slow.add("piece" + i + " ");
      }
      fake.delay(20).reply(slow);
      ws.request(send(room, "first"));
      ws.next(f -> "message.delta".equals(f.getString("type")), "the first reply streaming");
      ws.request(send(room, "second, while it streams"));
      JsonObject busy = ws.next(f -> "assistant.error".equals(f.getString("type")), "busy");
      assertEquals("ASSISTANT_BUSY", busy.getString("code"));
      assertEquals(eve.getLong("id"), busy.getLong("user_id"));
      reply(ws); // the first reply ends
      fake.delay(10);
      for (int i = 0; i < 3; i++) { // the free plan's 5 a day: 1 taken above, 3 more here, the 5th below
        fake.reply("ok " + i);
        ws.request(send(room, "more " + i));
        reply(ws);
      }
      fake.reply("the fifth");
      ws.request(send(room, "fifth"));
      assertEquals("the fifth", reply(ws).created().getJsonObject("message").getString("body"));
      int asked = fake.requests().size();
      JsonObject ack = ws.request(send(room, "sixth"));
      assertEquals("message.ack", ack.getString("type"), "the message is stored");
      JsonObject over = ws.next(f -> "assistant.error".equals(f.getString("type")), "over the limit");
      assertEquals("ASSISTANT_LIMIT_EXCEEDED", over.getString("code"));
      assertEquals(5, over.getJsonObject("details").getInteger("limit"));
      assertEquals(asked, fake.requests().size(), "the model was not asked");
    }
  }
}
