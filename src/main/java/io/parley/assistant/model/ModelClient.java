package io.parley.assistant.model;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Streams chat completions from an OpenAI-compatible endpoint (OpenAI's Chat Completions API
 * with {@code stream: true}: https://platform.openai.com/docs/api-reference/chat/create and
 * .../chat-streaming; Ollama, vLLM, llama.cpp's server and others speak it at {@code /v1}).
 *
 * <p>Request: {@code POST <baseUrl>/chat/completions} with {@code Content-Type:
 * application/json}, {@code Accept: text/event-stream}, {@code Authorization: Bearer <key>} when a
 * key is set, and the body {@code {"model", "messages": [{"role", "content"}...], "stream": true,
 * "max_tokens"?}}. The answer is read as a stream of server-sent events ({@link SseParser}), never
 * buffered whole; see {@link ModelStream} for how each event is handled and how a stream ends.
 *
 * <p>One Vert.x {@code HttpClient} per ModelClient, with keep-alive connections (at most
 * {@value #MAX_CONNECTIONS} to the endpoint; more concurrent streams wait for a connection, which
 * counts against their timeout). Thread safe; {@link #close()} when done.
 */
public final class ModelClient {
  /** Connections kept to the model endpoint at most. */
  public static final int MAX_CONNECTIONS = 32;

  private final Vertx vertx;
  private final ModelSettings settings;
  private final HttpClientAgent client;

  /** A client for {@code settings}; creates its HTTP client from {@code vertx} (nothing is connected yet). */
  public ModelClient(Vertx vertx, ModelSettings settings) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
  }

  /** The settings this client was made with. */
  public ModelSettings settings() {
    return settings;
  }

  /**
   * Starts one completion of {@code messages} (in conversation order, usually a system prompt
   * first). {@code onDelta} receives each non-empty piece of text in order, on the Vert.x context
   * that called this method (a new event-loop context when called from elsewhere), never after
   * {@link ModelStream#done()} completed. Returns at once; the request is made from that context.
   *
   * @throws IllegalArgumentException when {@code messages} is empty
   */
  public ModelStream stream(List<ChatMessage> messages, Consumer<String> onDelta) {
    Objects.requireNonNull(onDelta, "onDelta");
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("a completion needs at least one message");
    }
    Buffer body = requestBody(messages).toBuffer();
    Context context = vertx.getOrCreateContext();
    ModelStream stream = new ModelStream(vertx, context, settings, onDelta);
    if (Vertx.currentContext() == context) {
      stream.start(client, requestOptions(), body);
    } else {
      context.runOnContext(v -> stream.start(client, requestOptions(), body));
    }
    return stream;
  }

  /** The JSON body of a streamed completion of {@code messages}. */
  JsonObject requestBody(List<ChatMessage> messages) {
    JsonArray list = new JsonArray();
    messages.forEach(m -> list.add(m.toJson()));
    JsonObject body = new JsonObject().put("model", settings.model()).put("messages", list).put("stream", true);
    if (settings.maxTokens() != null) {
      body.put("max_tokens", settings.maxTokens());
    }
    return body;
  }

  private RequestOptions requestOptions() {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(settings.completionsUrl())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream");
    if (settings.apiKey() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + settings.apiKey());
    }
    return options;
  }

  /** Closes the HTTP client and its connections; streams still running fail. */
  public Future<Void> close() {
    return client.close();
  }
}
