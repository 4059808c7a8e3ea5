package io.parley.persistence.search;

/**
 * SQL of message search (V9__search.sql: {@code messages.search_tsv}, its GIN index
 * {@code messages_search}, and {@code parley_search_config()}, the text search configuration
 * both sides use). Parameters are positional ($n); user text only ever arrives as a parameter.
 */
final class SearchSql {
  private SearchSql() {}

  /** The GIN index a search must use (checked by SearchTest's EXPLAIN). */
  static final String INDEX = "messages_search";

  /**
   * The tsquery of $2 (the text as typed: {@code websearch_to_tsquery}: quoted phrases, {@code or},
   * {@code -word}) with its last lexeme turned into a prefix match when $3 (the last word as
   * {@link SearchQuery#prefixWord} cleaned it, or null) is that lexeme: both sides come from
   * PostgreSQL's own tsquery output, and the prefix lexeme from
   * {@code to_tsquery(quote_literal(word) || ':*')}, so the text put together is always a valid
   * tsquery. Evaluated once per statement (materialized).
   */
  private static final String QUERY =
      "q AS MATERIALIZED (SELECT CASE WHEN w.l <> '' AND right(w.t, length(w.l)) = w.l "
          + "THEN (left(w.t, length(w.t) - length(w.l)) || w.p)::tsquery ELSE w.q END AS query FROM ("
          + "SELECT websearch_to_tsquery(parley_search_config(), $2::text) AS q, "
          + "websearch_to_tsquery(parley_search_config(), $2::text)::text AS t, "
          + "to_tsquery(parley_search_config(), quote_literal($3::text))::text AS l, "
          + "to_tsquery(parley_search_config(), quote_literal($3::text) || ':*')::text AS p) w)";

  /**
   * ts_headline's options: matches between U+E000 and U+E001 (private-use characters, taken out
   * of the body first), made {@code <mark>} by {@link Snippets} after escaping. A body of up to
   * {@value #WHOLE_CHARS} characters is given whole (HighlightAll: the other modes drop its
   * leading punctuation); of a longer one, the part around its matches (up to 30 words).
   */
  private static final String HEADLINE_OPTIONS =
      "format(CASE WHEN length(h.body) <= " + SearchSql.WHOLE_CHARS + " THEN 'StartSel=%s, StopSel=%s, HighlightAll=true' "
          + "ELSE 'StartSel=%s, StopSel=%s, MaxWords=30, MinWords=12' END, chr(57344), chr(57345))";

  /** Bodies up to this long are shown whole in snippets. */
  static final int WHOLE_CHARS = 300;

  /**
   * The body given to ts_headline: the markers U+E000..U+E003 taken out, {@code <} and
   * {@code >} turned into U+E002 and U+E003 so that the parser sees no HTML tags to drop
   * ({@link Snippets} turns them back, escaped).
   */
  private static final String HEADLINE_BODY =
      "translate(h.body, '<>' || chr(57344) || chr(57345) || chr(57346) || chr(57347), chr(57346) || chr(57347))";

  /**
   * A page: matching live messages of rooms $1 is a member of ({@code roomFilter}: more
   * conditions on {@code m}), newest first before the keyset ($4 created_at, $5 id; both null: from the newest), $6 rows
   * (limit + 1). Snippets only for that page. Rows: room_id, room_name (a conversation's: the
   * other member's username), message_id, seq, author_id, created_at, snippet.
   */
  private static String page(String roomFilter) {
    return "WITH " + QUERY + ", "
        + "hits AS (SELECT m.id, m.room_id, m.seq, m.author_id, m.created_at, m.body FROM messages m "
        + "JOIN room_members rm ON rm.room_id = m.room_id AND rm.user_id = $1 "
        + "WHERE m.search_tsv @@ (SELECT query FROM q) AND m.deleted_at IS NULL " + roomFilter
        + "AND (m.created_at, m.id) < (coalesce($4::timestamptz, 'infinity'), coalesce($5::bigint, 9223372036854775807)) "
        + "ORDER BY m.created_at DESC, m.id DESC LIMIT $6) "
        + "SELECT h.room_id, CASE WHEN r.kind = 'direct' THEN (SELECT u.username FROM room_members x "
        + "JOIN users u ON u.id = x.user_id WHERE x.room_id = r.id AND x.user_id <> $1 LIMIT 1) ELSE r.name END AS room_name, "
        + "h.id AS message_id, h.seq, h.author_id, h.created_at, "
        + "ts_headline(parley_search_config(), " + HEADLINE_BODY + ", (SELECT query FROM q), " + HEADLINE_OPTIONS + ") AS snippet "
        + "FROM hits h JOIN rooms r ON r.id = h.room_id ORDER BY h.created_at DESC, h.id DESC";
  }

  /** All the user's rooms: $1 user, $2 text, $3 prefix word or null, $4/$5 keyset or nulls, $6 limit + 1. */
  static final String SEARCH = page("");

  /** One room (the caller checked membership first): as {@link #SEARCH}, $7 the room. */
  static final String SEARCH_ROOM = page("AND m.room_id = $7 ");
}
