package io.parley.assistant.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.assistant.model.Completion.Outcome;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.FakeModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("ModelClient streams completions from an OpenAI-compatible endpoint (the fake model)")
class ModelClientTest {
  private static final List<ChatMessage> HELLO = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));

  private Vertx vertx;
  private FakeModel fake;
  private ModelClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    fake = FakeModel.start(vertx);
    client = new ModelClient(vertx, new ModelSettings(fake.baseUrl(), "fake-llm", null, 10_000, 5_000, null));
  }

  @AfterEach
  void tearDown() {
    Api.await(client.close());
    fake.close();
  }

  private ModelClient client(String apiKey, long timeout, long idleTimeout, Integer maxTokens) {
    Api.await(client.close());
    client = new ModelClient(vertx, new ModelSettings(fake.baseUrl(), "fake-llm", apiKey, timeout, idleTimeout, maxTokens));
    return client;
  }

  @Test
  @DisplayName("the pieces arrive as deltas in order (cut mid-event and mid-character on the wire), then COMPLETED with the full text")
  void deltasInOrder() {
    List<String> pieces = List.of("Bonjour", ", ça", " coûte 5 €", " 日本", " 😀", "!");
    fake.reply(pieces);
    List<String> deltas = new CopyOnWriteArrayList<>();
    Completion done = Api.await(client.stream(HELLO, deltas::add).done());
    assertEquals(pieces, deltas);
    assertEquals(new Completion(Outcome.COMPLETED, String.join("", pieces), "stop", null), done);
  }

  @Test
  @DisplayName("the request: POST JSON with the model, stream: true and the messages in order; no Authorization without a key")
  void requestBody() {
    List<ChatMessage> history = List.of(ChatMessage.system("You are Parley's assistant."), ChatMessage.user("first"),
        ChatMessage.assistant("answer"), ChatMessage.user("second"));
    Api.await(client.stream(history, d -> { }).done());
    FakeModel.Received request = fake.awaitRequests(1).get(0);
    JsonObject body = request.body();
    assertEquals("fake-llm", body.getString("model"));
    assertEquals(true, body.getBoolean("stream"));
    assertFalse(body.containsKey("max_tokens"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "You are Parley's assistant."))
        .add(new JsonObject().put("role", "user").put("content", "first"))
        .add(new JsonObject().put("role", "assistant").put("content", "answer"))
        .add(new JsonObject().put("role", "user").put("content", "second")), body.getJsonArray("messages"));
    assertNull(request.authorization());
    assertTrue(request.headers().get("Content-Type").startsWith("application/json"));
    assertEquals("text/event-stream", request.headers().get("Accept"));
  }

  @Test
  @DisplayName("with a key: Authorization: Bearer <key>; max_tokens is sent when set")
  void keyAndMaxTokens() {
    client("sk-test-123", 10_000, 5_000, 42);
    Api.await(client.stream(HELLO, d -> { }).done());
    FakeModel.Received request = fake.awaitRequests(1).get(0);
    assertEquals("Bearer sk-test-123", request.authorization());
    assertEquals(42, request.body().getInteger("max_tokens"));
  }

  @Test
  @DisplayName("HTTP 401 with OpenAI's error body → FAILED with its message; a plain-text 503 → FAILED with the text")
  void httpErrors() {
    fake.status(401, "{\"error\":{\"message\":\"invalid key\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
    Completion unauthorized = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(new Completion(Outcome.FAILED, "", null, "model API answered 401: invalid key"), unauthorized);

    fake.status(503, "overloaded, try later\n");
    Completion unavailable = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals("model API answered 503: overloaded, try later", unavailable.error());

    fake.status(500, "x".repeat(100_000));
    Completion huge = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(Outcome.FAILED, huge.outcome());
    assertTrue(huge.error().length() < 400, "only the start of a large error body is read and shown");
  }

  @Test
  @DisplayName("the connection breaks midway → FAILED, the text received so far kept")
  void connectionBreaks() {
    fake.failAfter(List.of("partial", " answer"));
    List<String> deltas = new CopyOnWriteArrayList<>();
    Completion done = Api.await(client.stream(HELLO, deltas::add).done());
    assertEquals(Outcome.FAILED, done.outcome());
    assertEquals("partial answer", done.text());
    assertEquals(List.of("partial", " answer"), deltas);
    assertTrue(done.error().contains("broke"), done.error());
  }

  @Test
  @DisplayName("an error chunk mid-stream → FAILED with the provider's message and the partial text")
  void errorChunk() {
    fake.errorAfter(List.of("Once upon"), "the model crashed");
    Completion done = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(new Completion(Outcome.FAILED, "Once upon", null, "the model API reported an error: the model crashed"), done);
  }

  @Test
  @DisplayName("a model that stalls → FAILED by the idle timeout (300 ms), long before the total timeout; the connection is closed")
  void stallHitsIdleTimeout() {
    client(null, 20_000, 300, null);
    fake.stallAfter(List.of("thinking", "…"));
    long start = System.nanoTime();
    Completion done = Api.await(client.stream(HELLO, d -> { }).done());
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(Outcome.FAILED, done.outcome());
    assertEquals("thinking…", done.text());
    assertEquals("the model stalled: nothing received for 300 ms", done.error());
    assertTrue(elapsedMs >= 300 && elapsedMs < 5_000, "ended after " + elapsedMs + " ms");
    fake.awaitClosedByClient(0);
  }

  @Test
  @DisplayName("a model slower than the total timeout → FAILED with the text so far; no delta after done(), the connection closed")
  void totalTimeout() {
    client(null, 400, 5_000, null);
    fake.delay(20).reply(java.util.Collections.nCopies(200, "word "));
    List<String> deltas = new CopyOnWriteArrayList<>();
    List<Completion> completions = new CopyOnWriteArrayList<>();
    ModelStream stream = client.stream(HELLO, deltas::add);
    stream.done().onComplete(c -> completions.add(c.result()));
    Completion done = Api.await(stream.done());
    assertEquals(Outcome.FAILED, done.outcome());
    assertEquals("the model did not finish its answer within 400 ms", done.error());
    int seen = deltas.size();
    assertTrue(seen > 0 && seen < 200, seen + " deltas");
    fake.awaitClosedByClient(0); // the reset has reached the server: nothing more can arrive
    stream.cancel();
    Await.until(() -> completions.size() == 1, "done() to notify its listener");
    assertEquals(seen, deltas.size());
    assertEquals(String.join("", deltas), done.text());
    assertEquals(List.of(done), completions);
  }

  @Test
  @DisplayName("cancel() mid-stream → CANCELLED with the text so far, and the fake model sees the connection closed")
  void cancelFromAnotherThread() {
    fake.stallAfter(List.of("Let me", " think"));
    List<String> deltas = new CopyOnWriteArrayList<>();
    ModelStream stream = client.stream(HELLO, deltas::add);
    Await.until(() -> deltas.size() == 2, "two deltas");
    stream.cancel();
    Completion done = Api.await(stream.done());
    assertEquals(new Completion(Outcome.CANCELLED, "Let me think", null, null), done);
    fake.awaitClosedByClient(0);
  }

  @Test
  @DisplayName("called on a context: deltas and done() run on that context; cancel() from a delta stops the stream at once")
  void callbacksOnTheCallersContext() {
    fake.reply(List.of("one", " two", " three", " four"));
    var context = vertx.getOrCreateContext();
    List<String> deltas = new CopyOnWriteArrayList<>();
    List<Boolean> onContext = new CopyOnWriteArrayList<>();
    var result = io.vertx.core.Promise.<Completion>promise();
    context.runOnContext(v -> {
      ModelStream[] stream = new ModelStream[1];
      stream[0] = client.stream(HELLO, d -> {
        onContext.add(Vertx.currentContext() == context);
        deltas.add(d);
        if (deltas.size() == 2) {
          stream[0].cancel();
        }
      });
      stream[0].done().onComplete(c -> {
        onContext.add(Vertx.currentContext() == context);
        result.complete(c.result());
      });
    });
    Completion done = Api.await(result.future());
    assertEquals(new Completion(Outcome.CANCELLED, "one two", null, null), done);
    fake.awaitClosedByClient(0);
    assertEquals(List.of("one", " two"), deltas);
    assertEquals(List.of(true, true, true), onContext);
  }

  @Test
  @DisplayName("a usage chunk (empty choices), keep-alive comments and CRLF line ends are fine; a stream ended after finish_reason is COMPLETED")
  void usageChunkAndFinishWithoutDone() {
    fake.raw(List.of(": keep-alive\r\n\r\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\r\n\r\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\r\n\r\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\r\n\r\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\r\n\r\n"));
    Completion done = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(new Completion(Outcome.COMPLETED, "Hi", "length", null), done);
  }

  @Test
  @DisplayName("a stream that ends without [DONE] or finish_reason, or a malformed chunk, is FAILED with the text so far")
  void truncatedOrMalformed() {
    fake.raw(List.of("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"));
    Completion truncated = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(new Completion(Outcome.FAILED, "Hi", null, "the model's stream ended before the answer was finished"), truncated);

    fake.raw(List.of("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n", "data: {not json\n\n"));
    Completion malformed = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(new Completion(Outcome.FAILED, "Hi", null, "the model sent a malformed chunk: {not json"), malformed);

    fake.status(200, "{\"choices\":[{\"message\":{\"content\":\"not streamed\"}}]}");
    Completion notStreamed = Api.await(client.stream(HELLO, d -> { }).done());
    assertEquals(Outcome.FAILED, notStreamed.outcome());
    assertTrue(notStreamed.error().contains("did not answer an event stream"), notStreamed.error());
  }

  @Test
  @DisplayName("nothing listening at the base URL → FAILED saying the API could not be reached")
  void unreachable() {
    FakeModel gone = FakeModel.start(vertx);
    String url = gone.baseUrl();
    gone.close();
    ModelClient other = new ModelClient(vertx, ModelSettings.of(url, "fake-llm", 5_000, 5_000));
    try {
      Completion done = Api.await(other.stream(HELLO, d -> { }).done());
      assertEquals(Outcome.FAILED, done.outcome());
      assertTrue(done.error().startsWith("could not reach the model API at " + url + "/chat/completions"), done.error());
    } finally {
      Api.await(other.close());
    }
  }

  @Test
  @DisplayName("cancel() after the end changes nothing; streams one after another reuse the client")
  void cancelAfterTheEnd() {
    for (int i = 0; i < 3; i++) {
      fake.reply(List.of("answer " + i));
      ModelStream stream = client.stream(HELLO, d -> { });
      Completion done = Api.await(stream.done());
      stream.cancel();
      assertEquals(new Completion(Outcome.COMPLETED, "answer " + i, "stop", null), done);
      assertEquals(done, Api.await(stream.done()));
    }
    assertEquals(3, fake.requests().size());
  }
}
