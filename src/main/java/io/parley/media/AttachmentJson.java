package io.parley.media;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * The one owner of the attachment wire format. Stored (in {@code messages.attachments} and in the
 * events of the room streams) an attachment is its description,
 * {@code {id, kind, content_type, size, name, width, height, duration_ms, thumbnail}} with
 * {@code thumbnail} a boolean; handed out it is that description with {@code thumbnail} replaced by
 * the signed {@code url} and {@code thumbnail_url} (null without a thumbnail), fresh at every read
 * ({@link SignedUrls}). Every message shape carries {@code attachments}, an array (empty for plain
 * text and for deleted messages).
 */
public final class AttachmentJson {
  private final SignedUrls urls;

  public AttachmentJson(SignedUrls urls) {
    this.urls = urls;
  }

  /** The stored description of an {@code attachments} row. */
  public static JsonObject describe(Row r) {
    return new JsonObject()
        .put("id", r.getLong("id"))
        .put("kind", r.getString("kind"))
        .put("content_type", r.getString("content_type"))
        .put("size", r.getLong("size"))
        .put("name", r.getString("name"))
        .put("width", r.getInteger("width"))
        .put("height", r.getInteger("height"))
        .put("duration_ms", r.getLong("duration_ms"))
        .put("thumbnail", r.getString("thumbnail_type") != null);
  }

  /** The description as handed out: with fresh signed {@code url} and {@code thumbnail_url}. */
  public JsonObject signed(JsonObject description) {
    long now = System.currentTimeMillis() / 1000;
    long id = description.getLong("id");
    JsonObject out = description.copy();
    boolean thumbnail = Boolean.TRUE.equals(out.remove("thumbnail"));
    return out.put("url", urls.url(id, "content", now))
        .put("thumbnail_url", thumbnail ? urls.url(id, "thumbnail", now) : null);
  }

  /** Stored descriptions → handed-out attachments (null → empty). */
  public JsonArray signedAll(JsonArray descriptions) {
    JsonArray out = new JsonArray();
    if (descriptions != null) {
      for (int i = 0; i < descriptions.size(); i++) {
        out.add(signed(descriptions.getJsonObject(i)));
      }
    }
    return out;
  }

  /**
   * Signs a message in place: its {@code attachments} (stored descriptions, or absent) become the
   * handed-out ones; a deleted message carries none. Returns the message.
   */
  public JsonObject signMessage(JsonObject message) {
    if (message == null) {
      return null;
    }
    Object raw = message.getValue("attachments");
    boolean deleted = Boolean.TRUE.equals(message.getValue("deleted"));
    message.put("attachments", deleted || !(raw instanceof JsonArray a) ? new JsonArray() : signedAll(a));
    return message;
  }

  /** Signs the {@code message} of a room-stream event frame in place (other frames unchanged). */
  public JsonObject signEvent(JsonObject event) {
    if (event.getValue("message") instanceof JsonObject m) {
      signMessage(m);
    }
    return event;
  }

  /** The public URL of a user's avatar (its thumbnail), stable until the avatar changes; null without one. */
  public static String avatarUrl(long userId, Long attachmentId) {
    return attachmentId == null ? null : "/api/v1/users/" + userId + "/avatar/" + attachmentId;
  }
}
