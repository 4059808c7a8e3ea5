package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.ParleyConfig;
import io.parley.gateway.FrameFuzzCases.Case;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Sends every frame of {@link FrameFuzzCases} (fixed seed) to a gateway, each followed by a
 * {@code ping} whose {@code pong} marks the end of its synchronous answers, and checks each
 * answer: the normal reply of the frame's type (a stored body unchanged) or an {@code error} with a
 * documented code other than {@code INTERNAL}, the one expected where the protocol says which;
 * the socket stays open except where the protocol closes it; afterwards both nodes are ready,
 * other users chat across them, and nothing was logged at ERROR level or with a stack trace.
 * Every failing case is collected and reported with the frame sent and the frames received.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("WebSocket frame fuzzing")
class FrameFuzzTest {
  private static final long SEED = 0x5eed_2026L;
  /** Frames the server sends on its own: not answers to a case. */
  private static final Set<String> EVENTS = Set.of("message.created", "message.updated", "message.deleted", "member.joined",
      "member.left", "room.updated", "room.deleted", "resync_required", "notification", "typing", "read", "presence",
      "presence.count");
  private static final Map<String, String> REPLIES = Map.of("ping", "pong", "subscribe", "subscribed", "unsubscribe",
      "unsubscribed", "message.send", "message.ack", "message.edit", "message.ack", "message.delete", "message.ack",
      "typing", "typing.ack", "read", "read.ack");
  /** The codes a healthy cluster may answer a bad frame with (docs/websocket-protocol.md §9). */
  private static final Set<String> CODES = Set.of("VALIDATION_FAILED", "FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE",
      "EMAIL_NOT_VERIFIED");

  private Vertx vertx;
  private final List<String> failures = new ArrayList<>();
  /** How many cases got each kind of answer (printed, to see what the cases reach). */
  private final Map<String, Integer> answers = new java.util.TreeMap<>();
  private int barriers;

  @Test
  @DisplayName("generated frames get their reply or a documented error, never INTERNAL; sockets stay open, nodes healthy, no error logged")
  void fuzz(Vertx vertx, TestCluster cluster) throws Exception {
    this.vertx = vertx;
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject fuzzer = api.newUser("fuzzer");
    JsonObject other = api.newUser("other");
    long ownRoom = api.newRoom(fuzzer, false).getLong("id");
    long sharedRoom = api.sharedRoom(other, fuzzer);
    long privateOther = api.newRoom(other, true).getLong("id");
    long publicOther = api.newRoom(other, false).getLong("id");
    long ownMessage = api.send(fuzzer, ownRoom, "original").getLong("id");
    long doomedMessage = api.send(fuzzer, ownRoom, "doomed").getLong("id");
    long otherMessage = api.send(other, sharedRoom, "not yours").getLong("id");
    long hiddenMessage = api.send(other, privateOther, "secret").getLong("id");

    try (LogTap tap = new LogTap(); Ws member = open(other, cluster.b()).watching("typing")) {
      LoggerFactory.getLogger(FrameFuzzTest.class).warn("fuzz: log tap check");
      assertTrue(tap.text().contains("fuzz: log tap check"), "the log is captured");
      assertEquals("subscribed", member.request(new JsonObject().put("type", "subscribe").put("room_id", privateOther))
          .getString("type"));

      Ws ws = Ws.connect(vertx, cluster.a().gatewayPort(), fuzzer.getString("access_token"));
      int maxFrameBytes = ws.next("welcome").getInteger("max_frame_bytes");
      int maxBody = ParleyConfig.defaults().getJsonObject("messages").getInteger("max_body_chars");
      List<Case> cases = FrameFuzzCases.all(new FrameFuzzCases.Ids(ownRoom, sharedRoom, privateOther, publicOther,
          999_999_999_999L, ownMessage, doomedMessage, otherMessage, hiddenMessage, maxBody, maxFrameBytes), SEED);
      long started = System.nanoTime();
      for (Case c : cases) {
        ws = run(ws, c, fuzzer, cluster);
      }
      ws = closingFrames(ws, fuzzer, cluster);
      System.out.printf("frame fuzz: %d cases in %d ms, %d failing; answers: %s%n", cases.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), failures.size(), answers);

      ws.assertUsable();
      ws.close();
      healthy(api, cluster);
      member.pending().stream().filter(f -> fuzzer.getLong("id").equals(f.getLong("user_id")))
          .forEach(f -> failures.add("a stranger's typing reached a member of the private room: " + f.encode()));
      tap.errors().forEach(line -> failures.add("logged: " + FrameFuzzCases.shorten(line)));
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  private Ws open(JsonObject user, TestCluster.Node node) {
    return Ws.open(vertx, node.gatewayPort(), user.getString("access_token"));
  }

  /** Sends one case and its barrier ping, collects its answers, records what is wrong with them. */
  private Ws run(Ws ws, Case c, JsonObject user, TestCluster cluster) {
    JsonObject frame = parse(c.text());
    Object ref = frame == null || c.must().equals("PAYLOAD_TOO_LARGE") ? null : refOf(frame);
    Set<Object> sideRefs = new HashSet<>();
    c.texts().subList(0, Math.max(0, c.texts().size() - 1)).stream().map(t -> refOf(parse(t))).filter(Objects::nonNull)
        .forEach(sideRefs::add);
    String barrier = "barrier-" + (++barriers);
    if (c.binary() != null) {
      Api.await(ws.socket().writeBinaryMessage(c.binary()));
    } else {
      c.texts().forEach(ws::sendRaw);
    }
    ws.sendRaw("{\"type\":\"ping\",\"ref\":\"" + barrier + "\"}");

    List<JsonObject> replies = new ArrayList<>();
    List<JsonObject> others = new ArrayList<>();
    boolean barrierSeen = false;
    boolean awaitReply = ref != null && !c.must().equals(FrameFuzzCases.NONE);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(barrierSeen && (!awaitReply || !replies.isEmpty()) && sideRefs.isEmpty()) && System.nanoTime() < deadline) {
      JsonObject f = ws.pollMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (f == null) {
        break;
      }
      Object r = f.getValue("ref");
      if (barrier.equals(r)) {
        barrierSeen = true;
      } else if (r != null && sideRefs.remove(r)) {
        codeProblem(f).ifPresent(p -> failures.add(describe(c, List.of(f)) + ": " + p));
      } else if (EVENTS.contains(f.getString("type")) || f.containsKey("reason")) {
        continue; // events of the rooms the socket follows
      } else if (Objects.equals(r, ref)) {
        replies.add(f);
      } else {
        others.add(f);
      }
    }
    String answer = replies.isEmpty() ? "nothing" : replies.get(0).getString("type");
    answers.merge(replies.isEmpty() || !answer.equals("error") ? answer : replies.get(0).getString("code"), 1, Integer::sum);
    String problem = ws.closed.isDone() ? "the socket was closed with " + ws.closed.getNow(null)
        : !barrierSeen ? "no pong to the ping sent after it"
        : !others.isEmpty() ? "frames that answer nothing sent: " + FrameFuzzCases.visible(others.toString())
        : check(c, frame, ref, replies);
    if (problem != null) {
      failures.add(describe(c, replies) + ": " + problem);
    }
    if (ws.closed.isDone() || !barrierSeen) {
      ws.close();
      return open(user, cluster.a());
    }
    return ws;
  }

  /** What is wrong with the answers to a case, or null. */
  private static String check(Case c, JsonObject frame, Object ref, List<JsonObject> replies) {
    String type = frame == null || !(frame.getValue("type") instanceof String t) ? null : t;
    if (replies.size() > 1) {
      return "more than one reply";
    }
    if (replies.isEmpty()) {
      boolean silentTyping = "typing".equals(type) && ref == null;
      return c.must().equals(FrameFuzzCases.NONE) || silentTyping && c.must().equals(FrameFuzzCases.ANY) ? null
          : "no reply" + (ref == null ? "" : " with ref " + ref);
    }
    JsonObject reply = replies.get(0);
    if (c.must().equals(FrameFuzzCases.NONE)) {
      return "a reply where none is due";
    }
    if ("error".equals(reply.getString("type"))) {
      String bad = codeProblem(reply).orElse(null);
      if (bad != null) {
        return bad;
      }
      if (c.field() != null && frame != null && "VALIDATION_FAILED".equals(reply.getString("code"))) {
        JsonObject details = reply.getValue("details") instanceof JsonObject d ? d : new JsonObject();
        if (!c.field().equals(details.getValue("field"))) {
          return "VALIDATION_FAILED without details.field \"" + c.field() + "\"";
        }
      }
      return c.must().equals(FrameFuzzCases.OK) ? "an error where the normal reply is due"
          : c.must().equals(FrameFuzzCases.ANY) || c.must().equals(reply.getString("code")) ? null
          : "expected error " + c.must();
    }
    if (type == null || !reply.getString("type").equals(REPLIES.get(type))) {
      return "not the reply to a " + type + " frame";
    }
    if (!c.must().equals(FrameFuzzCases.OK) && !c.must().equals(FrameFuzzCases.ANY)) {
      return "accepted; expected error " + c.must();
    }
    // a send or an edit stores the body it was given (a delete ignores a stray body field: random
    // ids may name the fuzzer's own message on a fresh database)
    if (("message.send".equals(type) || "message.edit".equals(type))
        && reply.getJsonObject("message") != null && frame.getValue("body") instanceof String body
        && !reply.getBoolean("duplicate", false) && !body.equals(reply.getJsonObject("message").getString("body"))) {
      return "stored a different body: " + FrameFuzzCases.json(reply.getJsonObject("message").getString("body"));
    }
    return null;
  }

  /** An error frame's code that a healthy gateway must not send (INTERNAL, unknown), or a missing message. */
  private static java.util.Optional<String> codeProblem(JsonObject f) {
    if (!"error".equals(f.getString("type"))) {
      return java.util.Optional.empty();
    }
    if (!CODES.contains(f.getString("code"))) {
      return java.util.Optional.of("error code " + f.getString("code"));
    }
    return f.getValue("message") instanceof String m && !m.isEmpty() ? java.util.Optional.empty()
        : java.util.Optional.of("error without a message");
  }

  private static String describe(Case c, List<JsonObject> replies) {
    String sent = c.binary() != null ? "binary " + FrameFuzzCases.shorten(c.binary().toString())
        : String.join(" then ", c.texts().stream().map(FrameFuzzCases::shorten).toList());
    JsonObject reply = replies.isEmpty() ? null : replies.get(0).copy();
    if (reply != null && reply.getValue("message") instanceof JsonObject m) {
      reply.put("message", new JsonObject().put("id", m.getValue("id")).put("body", m.getValue("body")));
    }
    return "[" + c.name() + "] sent " + sent + " → got " + (reply == null ? "nothing"
        : FrameFuzzCases.shorten(FrameFuzzCases.visible(reply.encode())));
  }

  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The ref the server echoes: a string or a number; not a string with no UTF-8 form (refused without a ref). */
  private static Object refOf(JsonObject frame) {
    Object ref = frame == null ? null : frame.getValue("ref");
    if (ref instanceof String s && !io.parley.bus.StorableText.encodable(s)) {
      return null;
    }
    return ref instanceof String || ref instanceof Number ? ref : null;
  }

  /**
   * Frames the WebSocket layer handles (§8): a message fragmented past the hard limit is dropped
   * and the socket stays; a single frame past it closes with 1009; text that is not UTF-8 with 1007.
   */
  private Ws closingFrames(Ws ws, JsonObject user, TestCluster cluster) throws Exception {
    String chunk = "p".repeat(100_000);
    Api.await(ws.socket().writeFrame(WebSocketFrame.textFrame("{\"type\":\"ping\",\"ref\":\"huge\",\"pad\":\"", false)));
    for (int i = 0; i < 3; i++) {
      Api.await(ws.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(i < 2 ? chunk : chunk + "\"}"), i == 2)));
    }
    ws = run(ws, new Case("a message fragmented past the hard limit (3 x 100 kB): dropped, no reply", List.of(), null,
        FrameFuzzCases.NONE, null), user, cluster);
    try (Ws big = open(user, cluster.a())) {
      big.socket().writeFrame(WebSocketFrame.textFrame("x".repeat(262_145), true));
      expectClose(big, (short) 1009, "one frame past the hard limit of 262144 bytes");
    }
    try (Ws bad = open(user, cluster.a())) {
      bad.socket().writeFrame(WebSocketFrame.textFrame("{\"type\":\"ping\",\"ref\":\"", false));
      bad.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xed, (byte) 0xa0,
          (byte) 0x80, '"', '}'}), true));
      expectClose(bad, (short) 1007, "a text message that is not UTF-8 (an encoded lone surrogate, ED A0 80)");
    }
    return ws;
  }

  private void expectClose(Ws ws, short code, String what) throws Exception {
    short got = ws.closed.get(10, TimeUnit.SECONDS);
    if (got != code) {
      failures.add("[" + what + "] closed with " + got + ", expected " + code);
    }
  }

  /** Both nodes ready, and two other users chat across them. */
  private void healthy(Api api, TestCluster cluster) {
    WebClient http = WebClient.create(vertx);
    try {
      for (TestCluster.Node node : cluster.nodes) {
        assertEquals(200, Api.await(http.get(node.apiPort(), "127.0.0.1", "/health/ready").send()).statusCode());
      }
    } finally {
      http.close();
    }
    JsonObject ann = api.newUser("after");
    JsonObject ben = api.newUser("after");
    long room = api.sharedRoom(ann, ben);
    try (Ws annA = open(ann, cluster.a()); Ws benB = open(ben, cluster.b())) {
      benB.request(new JsonObject().put("type", "subscribe").put("room_id", room));
      JsonObject ack = annA.request(new JsonObject().put("type", "message.send").put("room_id", room)
          .put("client_msg_id", "after-fuzz").put("body", "still chatting"));
      assertEquals("message.ack", ack.getString("type"), ack.encode());
      assertEquals("still chatting", benB.next("message.created").getJsonObject("message").getString("body"));
    }
  }

  /** Copies what is written to System.err (logback's console target, looked up at each write) while open. */
  private static final class LogTap implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    LogTap() {
      System.setErr(new PrintStream(new OutputStream() {
        @Override
        public synchronized void write(int b) {
          original.write(b);
          copy.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
          original.write(b, off, len);
          copy.write(b, off, len);
        }
      }, true, StandardCharsets.UTF_8));
    }

    String text() {
      return copy.toString(StandardCharsets.UTF_8);
    }

    /** Lines logged at ERROR level and stack trace lines. */
    List<String> errors() {
      return text().lines().filter(l -> l.contains("] ERROR ") || l.matches("\\s+at [\\w$.]+\\(.*") || l.startsWith("Caused by:"))
          .toList();
    }

    @Override
    public void close() {
      System.setErr(original);
    }
  }
}
