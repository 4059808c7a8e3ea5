package io.parley.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Plays an OpenAI-compatible chat-completions endpoint ({@code POST /v1/chat/completions} with
 * {@code stream: true}) for tests: a Vert.x HTTP server on a free loopback port.
 *
 * <p>Answers are scripted in a queue ({@link #reply}, {@link #failAfter}, {@link #errorAfter},
 * {@link #stallAfter}, {@link #status}, {@link #raw}); each request takes the next one, or the
 * default reply ({@link #defaultReply}) when the queue is empty. A streamed reply is what OpenAI
 * sends: a first chunk with {@code delta.role}, one {@code chat.completion.chunk} per piece, a
 * chunk with {@code finish_reason: "stop"}, a usage chunk with empty {@code choices} when the
 * request asked for {@code stream_options.include_usage}, and {@code data: [DONE]}. To exercise
 * the client's parser, every event is written in two pieces, cut inside a multi-byte UTF-8
 * character when the event has one (else in the middle), with {@link #delay} ms between writes.
 *
 * <p>Every request is recorded (JSON body, headers, whether the client closed the connection
 * before the answer ended); thread safe, so JUnit threads may read and await them.
 */
public final class FakeModel implements AutoCloseable {
  /** The path of the endpoint; {@link #baseUrl()} is the part before {@code /chat/completions}. */
  public static final String PATH = "/v1/chat/completions";

  /** One request received. */
  public static final class Received {
    private final JsonObject body;
    private final MultiMap headers;
    private volatile boolean closedByClient;

    Received(JsonObject body, MultiMap headers) {
      this.body = body;
      this.headers = headers;
    }

    /** The JSON body (null when it was not a JSON object). */
    public JsonObject body() {
      return body;
    }

    /** The request headers (case insensitive). */
    public MultiMap headers() {
      return headers;
    }

    /** The {@code Authorization} header, or null. */
    public String authorization() {
      return headers.get("Authorization");
    }

    /** True when the client closed the connection before the answer ended. */
    public boolean closedByClient() {
      return closedByClient;
    }
  }

  private enum Kind { REPLY, FAIL, ERROR, STALL, STATUS, RAW }

  private record Answer(Kind kind, List<String> pieces, int status, String text) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final List<Received> received = new ArrayList<>(); // guarded by this
  private final AtomicInteger ids = new AtomicInteger();
  private volatile Answer defaultAnswer = new Answer(Kind.REPLY, List.of("Hello", " from the", " fake model."), 0, null);
  private volatile long delay = 10;
  private volatile boolean stopping;

  private FakeModel(Vertx vertx) {
    this.vertx = vertx;
    this.server = Api.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  /** Starts a fake on a free port of 127.0.0.1; blocks until it listens (call it from a test thread). */
  public static FakeModel start(Vertx vertx) {
    return new FakeModel(vertx);
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/v1}, the base URL for the model settings. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  // ---- scripting ------------------------------------------------------------------------------

  /** The next answer streams {@code pieces} and finishes normally. */
  public FakeModel reply(List<String> pieces) {
    return enqueue(new Answer(Kind.REPLY, List.copyOf(pieces), 200, null));
  }

  /** The next answer streams {@code pieces} and finishes normally. */
  public FakeModel reply(String... pieces) {
    return reply(List.of(pieces));
  }

  /** The next answer streams {@code pieces}, then half an event, then closes the connection abruptly. */
  public FakeModel failAfter(List<String> pieces) {
    return enqueue(new Answer(Kind.FAIL, List.copyOf(pieces), 200, null));
  }

  /** The next answer streams {@code pieces}, then {@code data: {"error": {"message": message, ...}}}, then ends (no [DONE]). */
  public FakeModel errorAfter(List<String> pieces, String message) {
    return enqueue(new Answer(Kind.ERROR, List.copyOf(pieces), 200, message));
  }

  /** The next answer streams {@code pieces}, then sends nothing more and keeps the connection open. */
  public FakeModel stallAfter(List<String> pieces) {
    return enqueue(new Answer(Kind.STALL, List.copyOf(pieces), 200, null));
  }

  /** The next answer is {@code code} with {@code body} (JSON if it starts with '{', else text). */
  public FakeModel status(int code, String body) {
    return enqueue(new Answer(Kind.STATUS, List.of(), code, body));
  }

  /** The next answer is 200 {@code text/event-stream} writing exactly {@code writes}, one per write, then ending. */
  public FakeModel raw(List<String> writes) {
    return enqueue(new Answer(Kind.RAW, List.copyOf(writes), 200, null));
  }

  /** The reply used when no answer is queued. */
  public FakeModel defaultReply(List<String> pieces) {
    defaultAnswer = new Answer(Kind.REPLY, List.copyOf(pieces), 200, null);
    return this;
  }

  /** Milliseconds between two writes of a streamed answer (default 10; at least 1). */
  public FakeModel delay(long ms) {
    delay = Math.max(1, ms);
    return this;
  }

  /** Forgets queued answers and recorded requests (a fake shared by several tests). */
  public synchronized FakeModel reset() {
    answers.clear();
    received.clear();
    return this;
  }

  private FakeModel enqueue(Answer answer) {
    answers.add(answer);
    return this;
  }

  // ---- what was received ----------------------------------------------------------------------

  /** The JSON bodies received so far, in order. */
  public synchronized List<JsonObject> requests() {
    return received.stream().map(Received::body).toList();
  }

  /** The requests received so far, in order. */
  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** Waits up to 10 s until {@code n} requests arrived; returns them. */
  public List<Received> awaitRequests(int n) {
    return awaitRequests(n, Duration.ofSeconds(10));
  }

  /** Waits up to {@code timeout} until {@code n} requests arrived; returns them (AssertionError on timeout). */
  public List<Received> awaitRequests(int n, Duration timeout) {
    awaitCondition(() -> received.size() >= n, timeout, n + " request(s) to the fake model");
    return received();
  }

  /** Waits up to 10 s until the client closed the connection of request {@code index} (0 based) before its answer ended. */
  public void awaitClosedByClient(int index) {
    awaitCondition(() -> received.size() > index && received.get(index).closedByClient, Duration.ofSeconds(10),
        "the client to close the connection of request " + index);
  }

  private synchronized void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private synchronized void record(Received r) {
    received.add(r);
    notifyAll();
  }

  private synchronized void closed(Received r) {
    r.closedByClient = true;
    notifyAll();
  }

  // ---- serving --------------------------------------------------------------------------------

  private void handle(HttpServerRequest req) {
    if (!req.path().equals(PATH) || !req.method().name().equals("POST")) {
      req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("message", "no route " + req.method() + " " + req.path())).encode());
      return;
    }
    req.body().onSuccess(buffer -> {
      JsonObject body;
      try {
        body = buffer.toJsonObject();
      } catch (RuntimeException e) {
        body = null;
      }
      Received r = new Received(body, MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      Answer queued = answers.poll();
      Answer answer = queued != null ? queued : defaultAnswer;
      HttpServerResponse resp = req.response();
      boolean[] serverClosing = {false};
      resp.closeHandler(v -> {
        if (!serverClosing[0] && !stopping) {
          closed(r);
        }
      });
      record(r);
      if (answer.kind() == Kind.STATUS) {
        String text = answer.text() == null ? "" : answer.text();
        resp.setStatusCode(answer.status()).putHeader("Content-Type", text.startsWith("{") ? "application/json" : "text/plain")
            .end(text);
        return;
      }
      resp.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
      String model = body == null ? "fake" : body.getString("model", "fake");
      boolean usage = body != null && body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
      List<Buffer> writes = new ArrayList<>();
      if (answer.kind() == Kind.RAW) {
        answer.pieces().forEach(w -> writes.add(Buffer.buffer(w)));
      } else {
        String id = "chatcmpl-fake-" + ids.incrementAndGet();
        event(writes, chunk(id, model, new JsonObject().put("role", "assistant").put("content", ""), null));
        answer.pieces().forEach(p -> event(writes, chunk(id, model, new JsonObject().put("content", p), null)));
        if (answer.kind() == Kind.REPLY) {
          event(writes, chunk(id, model, new JsonObject(), "stop"));
          if (usage) {
            event(writes, new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("model", model)
                .put("choices", new JsonArray()).put("usage", new JsonObject().put("prompt_tokens", 10)
                    .put("completion_tokens", answer.pieces().size()).put("total_tokens", 10 + answer.pieces().size())).encode());
          }
          event(writes, "[DONE]");
        } else if (answer.kind() == Kind.ERROR) {
          event(writes, new JsonObject().put("error", new JsonObject().put("message", answer.text())
              .put("type", "server_error").put("code", null)).encode());
        } else if (answer.kind() == Kind.FAIL) {
          Buffer half = sse(chunk(id, model, new JsonObject().put("content", "never finished"), null));
          writes.add(half.getBuffer(0, half.length() / 2));
        }
      }
      play(resp, r, writes, 0, () -> {
        switch (answer.kind()) {
          case FAIL -> {
            serverClosing[0] = true;
            req.connection().close();
          }
          case STALL -> { } // keep the connection open, say nothing
          default -> resp.end();
        }
      });
    });
  }

  private void play(HttpServerResponse resp, Received r, List<Buffer> writes, int i, Runnable then) {
    if (r.closedByClient || resp.closed()) {
      return;
    }
    if (i == writes.size()) {
      then.run();
      return;
    }
    resp.write(writes.get(i));
    vertx.setTimer(delay, t -> play(resp, r, writes, i + 1, then));
  }

  private static String chunk(String id, String model, JsonObject delta, String finishReason) {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", System.currentTimeMillis() / 1000)
        .put("model", model).put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("finish_reason", finishReason))).encode();
  }

  private static Buffer sse(String data) {
    return Buffer.buffer("data: " + data + "\n\n", StandardCharsets.UTF_8.name());
  }

  /** Adds the event in two writes, cut inside a multi-byte character if there is one, else in the middle. */
  private static void event(List<Buffer> writes, String data) {
    Buffer bytes = sse(data);
    int cut = bytes.length() / 2;
    for (int i = 0; i < bytes.length(); i++) {
      if ((bytes.getByte(i) & 0xC0) == 0x80) { // a continuation byte: cutting before it splits a character
        cut = i;
        break;
      }
    }
    writes.add(bytes.getBuffer(0, cut));
    writes.add(bytes.getBuffer(cut, bytes.length()));
  }

  /** Stops the server; open (stalled) connections are closed. */
  @Override
  public void close() {
    stopping = true;
    Api.await(server.close());
  }
}
