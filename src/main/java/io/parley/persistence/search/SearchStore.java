package io.parley.persistence.search;

import static io.parley.bus.Addresses.SEARCH_MESSAGES;

import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.RoomAccess;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * Full-text search of messages ({@code search.messages}): live messages of the rooms the user is
 * a member of, newest first (created_at, then id), keyset-paged with an opaque cursor, each with
 * an HTML snippet whose only tags are {@code <mark>} around the matches. Any text is a valid
 * query: what PostgreSQL finds no words in matches nothing.
 */
public final class SearchStore {
  /** Longest query text accepted, in code points (the contract's {@code maxLength} of {@code q}). */
  public static final int MAX_QUERY_CHARS = 16_384;
  /** How much of a longer text is searched, in code points: the words within its first 1,000. */
  public static final int SEARCHED_CHARS = 1000;
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;

  private final Pool pool;

  public SearchStore(Pool pool) {
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(SEARCH_MESSAGES, this::search);
  }

  /** {user_id, q, room_id?, limit?, before?} → {items, next_before}. */
  private Future<JsonObject> search(JsonObject b) {
    long userId = b.getLong("user_id");
    String q = b.getString("q");
    if (q == null || q.isBlank()) {
      throw ParleyException.invalid("q", "q needs something to search for");
    }
    if (q.codePointCount(0, q.length()) > MAX_QUERY_CHARS) {
      throw ParleyException.invalid("q", "q is longer than " + MAX_QUERY_CHARS + " characters");
    }
    q = searched(q);
    int limit = Math.max(1, Math.min(MAX_LIMIT, b.getInteger("limit", DEFAULT_LIMIT)));
    Cursor before = Cursor.decode(b.getString("before"));
    Long roomId = b.getLong("room_id");
    Tuple params = Tuple.of(userId, q, SearchQuery.prefixWord(q),
        before == null ? null : before.createdAt(), before == null ? null : before.id(), limit + 1);
    if (roomId == null) {
      return pool.preparedQuery(SearchSql.SEARCH).execute(params).map(rs -> page(rs, limit));
    }
    // a room the user is not in is not found, whether or not they could see it (search shows members' content only)
    return RoomAccess.of(pool, roomId, userId, false)
        .compose(a -> a.member() ? Future.succeededFuture() : Future.failedFuture(ParleyException.notFound("room")))
        .compose(x -> pool.preparedQuery(SearchSql.SEARCH_ROOM).execute(params.addLong(roomId)))
        .map(rs -> page(rs, limit));
  }

  /**
   * The text searched: all of {@code q} up to {@value #SEARCHED_CHARS} code points, else its
   * words within the first {@value #SEARCHED_CHARS} (a word cut there is dropped, and the text
   * ends with a space, so no word is taken as typed). It bounds the words PostgreSQL looks up.
   */
  static String searched(String q) {
    if (q.codePointCount(0, q.length()) <= SEARCHED_CHARS) {
      return q;
    }
    String cut = q.substring(0, q.offsetByCodePoints(0, SEARCHED_CHARS));
    int end = cut.length();
    while (end > 0 && !Character.isWhitespace(cut.charAt(end - 1)) && !Character.isWhitespace(q.charAt(end))) {
      end--; // inside a word that goes on past the cut
    }
    return end == 0 ? cut + " " : cut.substring(0, end) + " ";
  }

  private static JsonObject page(RowSet<Row> rs, int limit) {
    JsonArray items = new JsonArray();
    Row last = null;
    String next = null;
    for (Row r : rs) {
      if (items.size() == limit) { // the extra row: there is a next page, before the last one given
        next = new Cursor(last.getOffsetDateTime("created_at"), last.getLong("message_id")).encode();
        break;
      }
      items.add(new JsonObject()
          .put("room_id", r.getLong("room_id"))
          .put("room_name", r.getString("room_name"))
          .put("message_id", r.getLong("message_id"))
          .put("seq", r.getLong("seq"))
          .put("author_id", r.getLong("author_id"))
          .put("created_at", Rows.ts(r.getOffsetDateTime("created_at")))
          .put("snippet", Snippets.html(r.getString("snippet"))));
      last = r;
    }
    return new JsonObject().put("items", items).put("next_before", next);
  }

  /** A page's keyset: the created_at (microseconds) and id of its last hit; base64url of {@code "micros:id"} on the wire. */
  record Cursor(OffsetDateTime createdAt, long id) {
    /** 9999-12-31T23:59:59Z: no message is newer, and PostgreSQL takes every time up to it. */
    private static final long LATEST_MICROS = 253_402_300_799_000_000L;

    String encode() {
      Instant t = createdAt.toInstant();
      long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
      return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Null for none; VALIDATION_FAILED for one this server did not issue. */
    static Cursor decode(String text) {
      if (text == null || text.isEmpty()) {
        return null;
      }
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":", -1);
        if (parts.length != 2) {
          throw new IllegalArgumentException("two parts");
        }
        long micros = Long.parseLong(parts[0]);
        if (micros < 0 || micros > LATEST_MICROS) {
          throw new IllegalArgumentException("out of range");
        }
        Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        return new Cursor(OffsetDateTime.ofInstant(t, ZoneOffset.UTC), Long.parseLong(parts[1]));
      } catch (IllegalArgumentException | java.time.DateTimeException e) { // NumberFormatException is one
        throw ParleyException.invalid("before", "before is not a cursor this server issued");
      }
    }
  }
}
