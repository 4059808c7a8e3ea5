package io.parley.assistant;

import static io.parley.bus.Addresses.*;

import io.parley.assistant.model.ChatMessage;
import io.parley.assistant.model.Completion;
import io.parley.assistant.model.ModelClient;
import io.parley.assistant.model.ModelStream;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.RoomEvents;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assistant: a bot user that answers, through an OpenAI-compatible model
 * ({@link ModelClient}, streamed), every message of its conversations with users and, in group
 * rooms it was added to, messages that mention it ({@code @assistant}). It never answers itself.
 *
 * <p>A message stored in a room the bot is in reaches one assistant of the cluster
 * ({@code parley.assistant.inbox}). The reply: one in flight per room, cluster-wide (a shared
 * lock; a message meanwhile gets {@code ASSISTANT_BUSY}); one of the author's daily assistant
 * replies taken ({@code ASSISTANT_LIMIT_EXCEEDED} over their plan's); the room's recent messages
 * as context ({@link Context}); each piece of the answer published to the room as an ephemeral
 * {@code message.delta} {@code {room_id, stream_id, author_id, delta}}; then the whole reply
 * stored once as a message of the bot carrying the {@code stream_id} ({@code assistant.reply}),
 * with {@code status} {@code error} (and a note of why) or {@code cancelled} when it did not
 * complete. Refusals reach the room's sockets as an ephemeral {@code assistant.error}
 * {@code {room_id, user_id, code, message, details}}. A reply is stopped by
 * {@code parley.assistant.cancel} from the user it answers.
 *
 * <p>Config (section {@code assistant}, see {@link AssistantSettings}); without {@code base_url}
 * it answers {@code ASSISTANT_NOT_CONFIGURED} and ignores messages.
 */
public class AssistantVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AssistantVerticle.class);

  private AssistantSettings settings;
  private ModelClient model;
  private Bus bus;
  private Future<JsonObject> bot;
  /** Replies streaming from this instance, by stream id. */
  private final Map<String, Reply> active = new HashMap<>();

  /** A reply in flight: its room, the user it answers, the model's stream. */
  private record Reply(long roomId, long userId, ModelStream stream) {}

  @Override
  public Future<?> start() {
    settings = AssistantSettings.from(config());
    bus = new Bus(vertx, config().getLong("request_timeout_ms", 5000L));
    if (settings != null) {
      model = new ModelClient(vertx, settings.model());
      LOG.info("assistant on: model {} at {}", settings.model().model(), settings.model().baseUrl());
    } else {
      LOG.info("assistant off: set assistant.base_url (PARLEY_ASSISTANT_BASE_URL) to an OpenAI-compatible /v1 base to switch it on");
    }
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(ASSISTANT_INBOX, msg -> inbox(msg.body())).completion(),
        vertx.eventBus().<JsonObject>consumer(ASSISTANT_CANCEL, msg -> cancel(msg.body())).completion(),
        Bus.serve(vertx, ASSISTANT_STATUS, msg -> status()).completion(),
        Bus.serve(vertx, ASSISTANT_CONVERSATION, msg -> conversation(msg.body())).completion());
  }

  /** The bot user {user_id, username}, asked once (again after a failure). */
  private Future<JsonObject> bot() {
    if (bot == null || bot.failed()) {
      bot = bus.request(ASSISTANT_BOT, new JsonObject(), null);
    }
    return bot;
  }

  private Future<JsonObject> status() {
    return bot().map(b -> b.copy().put("configured", settings != null)
        .put("model", settings == null ? null : settings.model().model()));
  }

  /** {user_id} → {room, created}: the user's conversation with the bot. */
  private Future<JsonObject> conversation(JsonObject b) {
    if (settings == null) {
      return Future.failedFuture(new ParleyException(ErrorCode.ASSISTANT_NOT_CONFIGURED,
          "the assistant is off on this server: an operator sets assistant.base_url to switch it on"));
    }
    return bot().compose(botUser -> bus.request(CONVERSATIONS_OPEN,
        new JsonObject().put("user_id", b.getLong("user_id")).put("peer_id", botUser.getLong("user_id")), null));
  }

  /** A message of someone else in a room of the bot: answers it when it is the bot's to answer. */
  private void inbox(JsonObject b) {
    if (settings == null) {
      return;
    }
    JsonObject message = b.getJsonObject("message");
    long roomId = message.getLong("room_id");
    long userId = message.getLong("author_id");
    bot().compose(botUser -> bus.request(ROOMS_GET, new JsonObject().put("room_id", roomId)
            .put("user_id", botUser.getLong("user_id")), null)
        .compose(room -> {
          boolean direct = "direct".equals(room.getString("kind"));
          if (!direct && !mentions(message.getString("body"), botUser.getString("username"))) {
            return Future.succeededFuture();
          }
          return answer(roomId, userId, botUser.getLong("user_id"));
        }))
        .onFailure(err -> LOG.warn("assistant: no answer in room {}: {}", roomId, err.getMessage()));
  }

  /** Whether {@code body} mentions {@code @username} (not inside a word, any case). */
  static boolean mentions(String body, String username) {
    return body != null && Pattern.compile("(?<![\\w@])@" + Pattern.quote(username) + "(?![\\w-])", Pattern.CASE_INSENSITIVE)
        .matcher(body).find();
  }

  /** One reply in {@code roomId} to {@code userId}: the room's lock, the user's quota, the context, the stream, the store. */
  private Future<Void> answer(long roomId, long userId, long botId) {
    return vertx.sharedData().getLockWithTimeout("parley.assistant.room." + roomId, 50)
        .recover(busy -> Future.failedFuture(new ParleyException(ErrorCode.ASSISTANT_BUSY,
            "the assistant is still answering in this room; send again when it is done")))
        .compose(lock -> bus.request(ASSISTANT_TAKE, new JsonObject().put("user_id", userId), null)
            .compose(take -> take.getBoolean("taken") ? Future.succeededFuture()
                : Future.failedFuture(new ParleyException(ErrorCode.ASSISTANT_LIMIT_EXCEEDED,
                    "You have used today's assistant replies. Please upgrade for more.",
                    new JsonObject().put("limit", take.getInteger("limit")))))
            .compose(x -> bus.requestEncoded(MESSAGES_HISTORY, new JsonObject().put("room_id", roomId).put("user_id", botId)
                .put("limit", settings.maxContextMessages()), null))
            .compose(page -> stream(roomId, userId, botId,
                Context.of(settings.systemPrompt(), new JsonObject(page), botId, settings.contextChars())))
            .onComplete(ar -> lock.release()))
        .recover(err -> {
          if (err instanceof ParleyException pe) {
            refuse(roomId, userId, pe);
            return Future.succeededFuture();
          }
          return Future.failedFuture(err);
        });
  }

  /** Streams the model's answer as deltas, then stores it; completes when it is stored. */
  private Future<Void> stream(long roomId, long userId, long botId, List<ChatMessage> context) {
    String streamId = UUID.randomUUID().toString();
    ModelStream s = model.stream(context, delta -> RoomEvents.publishEphemeral(vertx.eventBus(), roomId, "message.delta", botId,
        new JsonObject().put("type", "message.delta").put("room_id", roomId).put("stream_id", streamId)
            .put("author_id", botId).put("delta", Text.storable(delta)).toBuffer()));
    active.put(streamId, new Reply(roomId, userId, s));
    return s.done().compose(done -> {
      active.remove(streamId);
      JsonObject reply = new JsonObject().put("room_id", roomId).put("stream_id", streamId)
          .put("body", Text.storable(body(done))).put("status", status(done));
      if (done.outcome() == Completion.Outcome.FAILED) {
        LOG.warn("assistant: reply {} in room {} failed: {}", streamId, roomId, done.error());
      }
      return bus.request(ASSISTANT_REPLY, reply, null).mapEmpty();
    });
  }

  /** The stored text: what arrived, with a note of why it stopped when it failed. */
  private static String body(Completion done) {
    if (done.outcome() != Completion.Outcome.FAILED) {
      return done.text();
    }
    String note = "[The assistant could not finish: " + done.error() + "]";
    return done.text().isBlank() ? note : done.text() + "\n\n" + note;
  }

  private static String status(Completion done) {
    return switch (done.outcome()) {
      case COMPLETED -> null;
      case FAILED -> "error";
      case CANCELLED -> "cancelled";
    };
  }

  /** Tells the room's sockets why the assistant does not answer {@code userId}. */
  private void refuse(long roomId, long userId, ParleyException e) {
    JsonObject frame = new JsonObject().put("type", "assistant.error").put("room_id", roomId).put("user_id", userId)
        .put("code", e.code().name()).put("message", e.getMessage());
    if (e.details() != null) {
      frame.put("details", e.details());
    }
    RoomEvents.publishEphemeral(vertx.eventBus(), roomId, "assistant.error", userId, frame.toBuffer());
  }

  /** {room_id, stream_id, user_id}: stops that reply if it streams here and answers that user. */
  private void cancel(JsonObject b) {
    Reply r = active.get(b.getString("stream_id", ""));
    if (r != null && r.roomId() == b.getLong("room_id", 0L) && r.userId() == b.getLong("user_id", 0L)) {
      r.stream().cancel();
    }
  }

  @Override
  public Future<?> stop() {
    active.values().forEach(r -> r.stream().cancel());
    return model == null ? Future.succeededFuture() : model.close();
  }
}
