package io.parley.assistant.model;

import io.parley.assistant.model.Completion.Outcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * One completion being streamed by {@link ModelClient#stream}: {@link #done()} and
 * {@link #cancel()}.
 *
 * <p>Each server-sent event's data is {@code [DONE]} (the end) or a {@code chat.completion.chunk}
 * JSON object: {@code choices[0].delta.content} (absent, null or empty: skipped) is appended and
 * passed to {@code onDelta}; {@code choices[0].finish_reason} is kept; empty {@code choices} (the
 * usage chunk of {@code stream_options.include_usage}) is skipped; an {@code error} member (sent
 * mid-stream by some providers) or an event named {@code error} fails the stream.
 *
 * <p>The stream ends exactly once, with the first of: COMPLETED ({@code [DONE]}, or the response
 * ended after a finish reason); FAILED (HTTP status ≥ 300 with up to 8 KiB of its body read for
 * the message; connection failure; a malformed chunk; an event over 1 MiB; the response ended
 * without {@code [DONE]} or finish reason; no answer within {@code timeout} ms in total; nothing
 * received for {@code idleTimeout} ms); CANCELLED ({@link #cancel()}). When it ends early the
 * request is reset (the connection closes, telling the server to stop generating); after it
 * ended, nothing more is read or passed on. Everything runs on the stream's Vert.x context.
 */
public final class ModelStream {
  /** Bytes of an error answer's body read for its message. */
  static final int MAX_ERROR_BODY = 8 * 1024;

  private final Vertx vertx;
  private final Context context;
  private final ModelSettings settings;
  private final Consumer<String> onDelta;
  private final Promise<Completion> done = Promise.promise();
  private final StringBuilder text = new StringBuilder();
  private final SseParser parser = new SseParser(this::onEvent);
  private String finishReason;
  private boolean finished;
  private boolean responding;
  private boolean responseEnded;
  private boolean sawEvent;
  private HttpClientRequest request;
  private long totalTimer = -1;
  private long idleTimer = -1;

  ModelStream(Vertx vertx, Context context, ModelSettings settings, Consumer<String> onDelta) {
    this.vertx = vertx;
    this.context = context;
    this.settings = settings;
    this.onDelta = onDelta;
  }

  /**
   * Completes once, when the stream ended, with the text received so far and the outcome; it
   * never fails. Completed on the stream's context.
   */
  public Future<Completion> done() {
    return done.future();
  }

  /**
   * Stops the completion: {@link #done()} completes CANCELLED with the text received so far and
   * the request is reset. No effect once the stream ended. Callable from any thread.
   */
  public void cancel() {
    if (Vertx.currentContext() == context) {
      finish(Outcome.CANCELLED, null);
    } else {
      context.runOnContext(v -> finish(Outcome.CANCELLED, null));
    }
  }

  /** Sends the request; on the stream's context. */
  void start(HttpClient client, RequestOptions options, Buffer body) {
    if (finished) {
      return; // cancelled before it started
    }
    totalTimer = vertx.setTimer(settings.timeout(), t -> {
      totalTimer = -1;
      fail(responding
          ? "the model did not finish its answer within " + duration(settings.timeout())
          : "the model did not answer within " + duration(settings.timeout()));
    });
    armIdleTimer();
    client.request(options)
        .compose(req -> {
          request = req;
          if (finished) {
            req.reset();
            return Future.failedFuture("ended before the request was sent");
          }
          return req.send(body);
        })
        .onSuccess(this::onResponse)
        .onFailure(e -> fail("could not reach the model API at " + settings.completionsUrl() + ": " + describe(e)));
  }

  private void onResponse(HttpClientResponse response) {
    if (finished) {
      return;
    }
    responding = true;
    armIdleTimer();
    response.exceptionHandler(e -> {
      if (finishReason != null) {
        finish(Outcome.COMPLETED, null);
      } else {
        fail("the connection to the model API broke: " + describe(e));
      }
    });
    if (response.statusCode() >= 300) {
      readError(response);
      return;
    }
    response.handler(chunk -> {
      if (finished) {
        return;
      }
      armIdleTimer();
      try {
        parser.feed(chunk);
      } catch (SseParser.EventTooLargeException e) {
        fail("the model sent an event over " + SseParser.DEFAULT_MAX_EVENT_BYTES + " bytes");
      }
    });
    response.endHandler(v -> {
      responseEnded = true;
      if (finishReason != null) {
        finish(Outcome.COMPLETED, null);
      } else if (!sawEvent) {
        fail("the model API did not answer an event stream (Content-Type: " + response.getHeader("Content-Type") + ")");
      } else {
        fail("the model's stream ended before the answer was finished");
      }
    });
  }

  /** Reads up to {@value #MAX_ERROR_BODY} bytes of an error answer, then fails with its message. */
  private void readError(HttpClientResponse response) {
    Buffer body = Buffer.buffer();
    Runnable report = () -> fail("model API answered " + response.statusCode() + ": "
        + ModelErrors.fromBody(body, response.statusMessage()));
    response.handler(chunk -> {
      if (finished) {
        return;
      }
      armIdleTimer();
      body.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_ERROR_BODY - body.length()));
      if (body.length() >= MAX_ERROR_BODY) {
        report.run();
      }
    });
    response.endHandler(v -> {
      responseEnded = true;
      report.run();
    });
  }

  private void onEvent(SseParser.Event event) {
    if (finished) {
      return;
    }
    sawEvent = true;
    String data = event.data();
    if ("error".equals(event.type())) {
      fail("the model API reported an error: " + ModelErrors.fromData(data));
      return;
    }
    if (data.strip().equals("[DONE]")) {
      finish(Outcome.COMPLETED, null);
      return;
    }
    JsonObject chunk;
    String piece = null;
    try {
      chunk = new JsonObject(data);
      if (chunk.getValue("error") != null) {
        fail("the model API reported an error: " + ModelErrors.fromValue(chunk.getValue("error")));
        return;
      }
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) {
        return; // e.g. the usage chunk
      }
      JsonObject choice = choices.getJsonObject(0);
      JsonObject delta = choice.getJsonObject("delta");
      if (delta != null && delta.getValue("content") instanceof String content) {
        piece = content;
      }
      if (choice.getValue("finish_reason") instanceof String reason) {
        finishReason = reason;
      }
    } catch (RuntimeException e) { // DecodeException, or ClassCastException for a wrong shape
      fail("the model sent a malformed chunk: " + ModelErrors.abbreviate(data));
      return;
    }
    if (piece != null && !piece.isEmpty()) {
      text.append(piece);
      try {
        onDelta.accept(piece);
      } catch (RuntimeException e) {
        fail("the delta handler failed: " + describe(e));
      }
    }
  }

  private void armIdleTimer() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    idleTimer = vertx.setTimer(settings.idleTimeout(), t -> {
      idleTimer = -1;
      fail(responding
          ? "the model stalled: nothing received for " + duration(settings.idleTimeout())
          : "the model did not start answering within " + duration(settings.idleTimeout()));
    });
  }

  private void fail(String error) {
    finish(Outcome.FAILED, error);
  }

  /** Ends the stream once: stops the timers, resets a request still running, completes {@link #done()}. */
  private void finish(Outcome outcome, String error) {
    if (finished) {
      return;
    }
    finished = true;
    if (totalTimer >= 0) {
      vertx.cancelTimer(totalTimer);
    }
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
    }
    if (request != null && !responseEnded && outcome != Outcome.COMPLETED) {
      request.reset();
    }
    done.complete(new Completion(outcome, text.toString(), finishReason, error));
  }

  private static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** "30 s", "1.5 s" or "300 ms". */
  static String duration(long ms) {
    if (ms < 1000) {
      return ms + " ms";
    }
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
