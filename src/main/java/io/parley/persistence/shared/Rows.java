package io.parley.persistence.shared;

import io.parley.media.AttachmentJson;
import io.vertx.core.json.JsonArray;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.List;

/** Maps rows to the JSON shapes of the API and the event stream (see openapi.yaml schemas). */
public final class Rows {
  private Rows() {}

  /** RFC 3339 in UTC with microseconds, always six digits (e.g. 2026-11-21T20:17:22.345850Z). */
  static final java.time.format.DateTimeFormatter TS =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

  /** As {@link #TS}, written digit by digit (history pages format two per message). */
  public static String ts(OffsetDateTime t) {
    if (t == null) {
      return null;
    }
    java.time.LocalDateTime u = t.getOffset().equals(java.time.ZoneOffset.UTC)
        ? t.toLocalDateTime() : t.atZoneSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime();
    if (u.getYear() < 0 || u.getYear() > 9999) {
      return TS.format(t);
    }
    char[] c = "0000-00-00T00:00:00.000000Z".toCharArray();
    digits(c, 0, 4, u.getYear());
    digits(c, 5, 2, u.getMonthValue());
    digits(c, 8, 2, u.getDayOfMonth());
    digits(c, 11, 2, u.getHour());
    digits(c, 14, 2, u.getMinute());
    digits(c, 17, 2, u.getSecond());
    digits(c, 20, 6, u.getNano() / 1000);
    return new String(c);
  }

  private static void digits(char[] c, int at, int width, int value) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  public static String ts(java.time.Instant t) {
    return t == null ? null : TS.format(t);
  }

  /** Public user: {id, username, first_name, last_name, created_at}. */
  public static JsonObject user(Row r) {
    return new JsonObject()
        .put("id", r.getLong("id"))
        .put("username", r.getString("username"))
        .put("first_name", r.getString("first_name"))
        .put("last_name", r.getString("last_name"))
        .put("created_at", ts(r.getOffsetDateTime("created_at")))
        .put("avatar_url", avatarUrl(r, r.getLong("id")))
        .put("is_bot", isBot(r));
  }

  /** Whether the row's user is a bot (the assistant); false for rows without an {@code is_bot} column. */
  static boolean isBot(Row r) {
    int column = r.getColumnIndex("is_bot");
    return column >= 0 && Boolean.TRUE.equals(r.getBoolean(column));
  }

  /** The avatar URL of the user {@code userId} of a row with an {@code avatar_attachment_id} column (null without one). */
  static String avatarUrl(Row r, long userId) {
    int column = r.getColumnIndex("avatar_attachment_id");
    return column < 0 ? null : AttachmentJson.avatarUrl(userId, r.getLong(column));
  }

  /** The user as seen by themselves: the public user plus e-mail. */
  public static JsonObject me(Row r) {
    JsonObject me = user(r).put("email", r.getString("email"))
        .put("email_verified", r.getOffsetDateTime("email_verified_at") != null)
        .put("status", r.getString("status"));
    int role = r.getColumnIndex("role");
    return me.put("role", role < 0 ? "user" : r.getString(role));
  }

  /** Room with the viewer's membership fields (role, last_read_seq: null when not a member). */
  public static JsonObject room(Row r) {
    JsonObject json = new JsonObject()
        .put("id", r.getLong("id"))
        .put("kind", r.getString("kind"))
        .put("name", r.getString("name"))
        .put("description", r.getString("description"))
        .put("is_private", r.getBoolean("is_private"))
        .put("owner_id", r.getLong("owner_id"))
        .put("last_seq", r.getLong("last_seq"))
        .put("last_event_at", ts(r.getOffsetDateTime("last_event_at")))
        .put("member_count", r.getLong("member_count"))
        .put("role", r.getString("role"))
        .put("last_read_seq", r.getLong("last_read_seq"))
        .put("created_at", ts(r.getOffsetDateTime("created_at")))
        .put("updated_at", ts(r.getOffsetDateTime("updated_at")));
    Object peer = r.getValue("peer");
    if (peer instanceof JsonObject p) { // {id, username, avatar_attachment_id} → {id, username, avatar_url}
      p.put("avatar_url", AttachmentJson.avatarUrl(p.getLong("id"), (Long) p.remove("avatar_attachment_id")));
    }
    json.put("peer", peer instanceof JsonObject p ? p : null);
    json.put("unread_count", r.getLong("unread_count"));
    Object last = r.getValue("last_message");
    json.put("last_message", last instanceof JsonObject l ? l : null);
    return json;
  }

  /** Member: {user_id, username, first_name, last_name, role, last_read_seq, joined_at}. */
  public static JsonObject member(Row r) {
    return new JsonObject()
        .put("user_id", r.getLong("user_id"))
        .put("username", r.getString("username"))
        .put("first_name", r.getString("first_name"))
        .put("last_name", r.getString("last_name"))
        .put("role", r.getString("role"))
        .put("last_read_seq", r.getLong("last_read_seq"))
        .put("joined_at", ts(r.getOffsetDateTime("joined_at")))
        .put("avatar_url", avatarUrl(r, r.getLong("user_id")))
        .put("is_bot", isBot(r));
  }

  /**
   * Message: {id, room_id, seq, author_id, client_msg_id, body, created_at, edited_at, deleted,
   * attachments}, and for the assistant's replies {stream_id, status}.
   */
  public static JsonObject message(Row r) {
    JsonObject m = new JsonObject()
        .put("id", r.getLong("id"))
        .put("room_id", r.getLong("room_id"))
        .put("seq", r.getLong("seq"))
        .put("author_id", r.getLong("author_id"))
        .put("client_msg_id", r.getString("client_msg_id"))
        .put("body", r.getString("body"))
        .put("created_at", ts(r.getOffsetDateTime("created_at")))
        .put("edited_at", ts(r.getOffsetDateTime("edited_at")))
        .put("deleted", r.getOffsetDateTime("deleted_at") != null)
        .put("attachments", r.getValue("attachments") instanceof JsonArray a ? a : new JsonArray()); // stored descriptions: sign before handing out
    if (r.getString("stream_id") != null) { // the assistant's replies: the stream of their deltas, and how it ended
      m.put("stream_id", r.getString("stream_id")).put("status", r.getString("status"));
    }
    if (r.getColumnIndex("deleted_by") >= 0 && r.getValue("deleted_by") instanceof JsonObject by) { // who deleted it
      m.put("deleted_by", by);
    }
    return m;
  }

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * A history page as the API answers it, {@code {"items":[Message...],"has_more":b,"last_seq":n}},
   * encoded straight from the rows with Jackson's streaming generator: no JsonObject per message,
   * no copy of one across the event bus, no second walk to encode it. Each item has the fields of
   * {@link #message}; MessagingTest checks that both give the same message.
   */
  public static Buffer historyPage(List<Row> rows, boolean hasMore, long lastSeq, AttachmentJson attachments) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + rows.size() * 320);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("items");
      for (Row r : rows) {
        g.writeStartObject();
        number(g, "id", r.getLong("id"));
        number(g, "room_id", r.getLong("room_id"));
        number(g, "seq", r.getLong("seq"));
        number(g, "author_id", r.getLong("author_id"));
        string(g, "client_msg_id", r.getString("client_msg_id"));
        string(g, "body", r.getString("body"));
        string(g, "created_at", ts(r.getOffsetDateTime("created_at")));
        string(g, "edited_at", ts(r.getOffsetDateTime("edited_at")));
        boolean deleted = r.getOffsetDateTime("deleted_at") != null;
        g.writeBooleanField("deleted", deleted);
        if (r.getString("stream_id") != null) { // the assistant's replies
          g.writeStringField("stream_id", r.getString("stream_id"));
          string(g, "status", r.getString("status"));
        }
        if (r.getValue("deleted_by") instanceof JsonObject by) { // who deleted it
          g.writeFieldName("deleted_by");
          g.writeRawValue(by.encode());
        }
        g.writeFieldName("attachments");
        if (!deleted && r.getValue("attachments") instanceof JsonArray stored && !stored.isEmpty()) {
          g.writeRawValue(attachments.signedAll(stored).encode());
        } else {
          g.writeStartArray();
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeBooleanField("has_more", hasMore);
      g.writeNumberField("last_seq", lastSeq);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static void number(JsonGenerator g, String field, Long value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
  }

  private static void string(JsonGenerator g, String field, String value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, value);
    }
  }
}
