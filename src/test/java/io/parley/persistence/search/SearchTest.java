package io.parley.persistence.search;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Message search across two nodes")
class SearchTest {
  private static final Random RANDOM = new Random();
  private TestCluster cluster;
  private Vertx vertx;
  private Api a;
  private Api b;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort(), a.exercised());
  }

  /** A word no other test (or run) uses: lower-case letters only, so the parser keeps it whole. */
  private static String word() {
    StringBuilder w = new StringBuilder("w");
    for (int i = 0; i < 10; i++) {
      w.append((char) ('a' + RANDOM.nextInt(26)));
    }
    return w.toString();
  }

  private static String token(JsonObject user) {
    return user.getString("access_token");
  }

  private static String enc(String q) {
    return URLEncoder.encode(q, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Api.Resp search(Api api, JsonObject user, String q, String more) {
    return api.call("searchMessages", GET, "/search/messages?q=" + enc(q) + more, token(user), null);
  }

  private JsonObject found(Api api, JsonObject user, String q, String more) {
    return search(api, user, q, more).expect(200).json();
  }

  /** The ids of the hits of one page. */
  private static List<Long> ids(JsonObject page) {
    List<Long> ids = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getLong("message_id")));
    return ids;
  }

  private List<Long> ids(JsonObject user, String q, long room) {
    return ids(found(a, user, q, "&room_id=" + room));
  }

  @Test
  @DisplayName("only the caller's rooms are searched: another user's private room and a public room not joined never leak, and room_id of them is 404")
  void onlyYourRooms() {
    JsonObject ann = a.newUser("ann");
    JsonObject ben = a.newUser("ben");
    String secret = word();
    long annPrivate = a.newRoom(ann, true).getLong("id");
    long annPublic = a.newRoom(ann, false).getLong("id");
    long shared = a.sharedRoom(ann, ben);
    long inPrivate = a.send(ann, annPrivate, "the " + secret + " plan").getLong("id");
    long inPublic = a.send(ann, annPublic, "public " + secret).getLong("id");
    long inShared = a.send(ann, shared, "shared " + secret).getLong("id");

    assertEquals(List.of(inShared, inPublic, inPrivate), ids(found(a, ann, secret, "")), "ann finds all three, newest first");
    assertEquals(List.of(inShared), ids(found(a, ben, secret, "")), "ben only the room he is in");
    assertEquals(List.of(inShared), ids(found(b, ben, secret.substring(0, 6), "")), "nor by a prefix, on either node");
    JsonObject hit = found(a, ben, secret, "").getJsonArray("items").getJsonObject(0);
    assertEquals(shared, hit.getLong("room_id"));
    assertNotNull(hit.getString("room_name"));
    assertEquals(ann.getLong("id"), hit.getLong("author_id"));
    assertTrue(hit.getLong("seq") >= 1);
    assertNotNull(hit.getString("created_at"));

    search(a, ben, secret, "&room_id=" + annPrivate).problem(404, "NOT_FOUND");
    search(a, ben, secret, "&room_id=" + annPublic).problem(404, "NOT_FOUND");
    search(a, ben, secret, "&room_id=999999999").problem(404, "NOT_FOUND");
    assertEquals(List.of(inShared), ids(ben, secret, shared));

    // a conversation is named after the other member
    long convo = a.call("openConversation", io.vertx.core.http.HttpMethod.POST, "/conversations", token(ann),
        new JsonObject().put("user_id", ben.getLong("id"))).expect(201).json().getLong("id");
    a.send(ann, convo, "direct " + secret);
    JsonObject direct = found(a, ben, "direct " + secret, "").getJsonArray("items").getJsonObject(0);
    assertEquals(ann.getString("username"), direct.getString("room_name"));
  }

  @Test
  @DisplayName("deleted messages never match; an edited one matches its new text only")
  void deletedAndEdited() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    String gone = word();
    String old = word();
    String fresh = word();
    long deleted = a.send(ann, room, "soon " + gone).getLong("id");
    long edited = a.send(ann, room, "first " + old).getLong("id");
    assertEquals(List.of(deleted), ids(ann, gone, room));
    a.call("deleteMessage", DELETE, "/messages/" + deleted, token(ann), null).expect(204);
    assertEquals(List.of(), ids(ann, gone, room));
    assertEquals(List.of(), ids(found(a, ann, "soon", "&room_id=" + room)));
    a.call("editMessage", PATCH, "/messages/" + edited, token(ann), new JsonObject().put("body", "then " + fresh)).expect(200);
    assertEquals(List.of(), ids(ann, old, room));
    assertEquals(List.of(edited), ids(ann, fresh, room));
  }

  @Test
  @DisplayName("query syntax as typed: \"exact phrase\" vs words apart, or, -word, and the last word as a prefix while typing")
  void querySyntax() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    String t = word();
    long together = a.send(ann, room, t + " the exact phrase here").getLong("id");
    long apart = a.send(ann, room, t + " a phrase that is not exact").getLong("id");
    long alpha = a.send(ann, room, t + " alpha only").getLong("id");
    long beta = a.send(ann, room, t + " beta only").getLong("id");
    long hello = a.send(ann, room, t + " Hello World").getLong("id");

    assertEquals(List.of(apart, together), ids(ann, t + " exact phrase", room), "words in any order");
    assertEquals(List.of(together), ids(ann, t + " \"exact phrase\"", room), "a phrase only together");
    assertEquals(List.of(beta, alpha), ids(ann, t + " alpha or beta", room));
    assertEquals(List.of(alpha), ids(ann, t + " alpha or beta -beta", room));
    assertEquals(List.of(hello, beta, alpha), ids(ann, t + " -exact", room));
    assertEquals(List.of(hello), ids(ann, t + " hel", room), "the last word is a prefix while typing");
    assertEquals(List.of(hello), ids(ann, t + " hello wor", room));
    assertEquals(List.of(hello), ids(ann, t + " WOR", room), "any case");
    assertEquals(List.of(hello), ids(ann, t + " wor,", room), "punctuation around the last word is dropped");
    assertEquals(List.of(beta, alpha), ids(ann, t + " alpha or bet", room), "the prefix keeps its or");
    assertEquals(List.of(), ids(ann, t + " hel ", room), "a trailing space ends the word");
    assertEquals(List.of(), ids(ann, t + " \"hello wor\"", room), "a phrase matches exactly");
    assertTrue(ids(ann, t + " -hel", room).contains(hello), "a negated word is whole");
    assertEquals(List.of(hello, beta, alpha, apart, together), ids(ann, t.substring(0, 5), room), "the tag's prefix");
  }

  @Test
  @DisplayName("pages of 10 with before/next_before: newest first, no hit twice, null after the last; a made-up cursor is 400")
  void paging() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    String t = word();
    List<Long> sent = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      sent.add(0, a.send(ann, room, t + " number " + i).getLong("id"));
    }
    a.send(ann, room, "unrelated words");
    List<Long> seen = new ArrayList<>();
    String before = null;
    int pages = 0;
    do {
      JsonObject page = found(pages % 2 == 0 ? a : b, ann, t, "&limit=10" + (before == null ? "" : "&before=" + enc(before)));
      seen.addAll(ids(page));
      before = page.getString("next_before");
      pages++;
      assertEquals(pages < 3 ? 10 : 5, page.getJsonArray("items").size());
    } while (before != null);
    assertEquals(3, pages);
    assertEquals(sent, seen, "every hit once, newest first");
    JsonObject first = found(a, ann, t, "");
    assertEquals(20, first.getJsonArray("items").size(), "20 by default");
    long lastSeq = Long.MAX_VALUE;
    for (Object o : first.getJsonArray("items")) {
      long seq = ((JsonObject) o).getLong("seq");
      assertTrue(seq < lastSeq, "newest first");
      lastSeq = seq;
    }
    search(a, ann, t, "&before=bm9wZQ").problem(400, "VALIDATION_FAILED");
    search(a, ann, t, "&before=" + enc("not a cursor!")).problem(400, "VALIDATION_FAILED");
    search(a, ann, t, "&limit=0").problem(400, "VALIDATION_FAILED");
    search(a, ann, t, "&limit=101").problem(400, "VALIDATION_FAILED");
  }

  private static final Pattern OTHER_TAGS = Pattern.compile("<(?!/?mark>)");

  @Test
  @DisplayName("snippets are HTML: the body escaped, matches in <mark>, no other tag (a <script> comes back as text)")
  void snippets() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    String t = word();
    a.send(ann, room, "<script>alert(\"x & y\")</script> " + t + " needle's <b>bold</b> \uE000fake\uE001");
    String snippet = found(a, ann, t + " needle", "&room_id=" + room).getJsonArray("items").getJsonObject(0).getString("snippet");
    assertTrue(snippet.contains("&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;"), snippet);
    assertTrue(snippet.contains("<mark>" + t + "</mark>"), snippet);
    assertTrue(snippet.contains("<mark>needle</mark>&#39;s"), snippet);
    assertTrue(snippet.contains("&lt;b&gt;bold&lt;/b&gt;"), snippet);
    assertTrue(snippet.contains("fake") && !snippet.contains("<mark>fake"), "markers in the body are no markers: " + snippet);
    assertFalse(OTHER_TAGS.matcher(snippet).find(), snippet);

    String many = (t + " ") + "lorem ipsum dolor sit amet ".repeat(100) + "needle in the middle " + "lorem ipsum ".repeat(100);
    a.send(ann, room, many);
    String fragment = found(a, ann, "needle middle", "&room_id=" + room).getJsonArray("items").getJsonObject(0).getString("snippet");
    assertTrue(fragment.contains("<mark>needle</mark>") && fragment.length() < 600, "a fragment of a long message: " + fragment);
  }

  @Test
  @DisplayName("any input answers 200 (or 400 when blank or over 16,384 characters): quotes, operators, SQL, unicode, 10 KB of text")
  void junkInput() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    a.send(ann, room, "café naïve 日本語のテキスト Ελληνικά emoji 🙂 done");
    List<String> junk = List.of("\"", "\"\"", "\"\"\"", "or", "OR", "or or", "-", "--", "- -", "!", "&|!():*", "&", "|", "!!x", "(", ")",
        "' OR 1=1 --", "'; DROP TABLE messages; --", "\\", "\\'", "$1", "%", "_", "a:*", "'a':*", "x <-> y", "x & y | !z",
        ":*", "*", "''", "\"unclosed phrase", "unclosed \"", "-\"", "\"-\"", "🙂", "🙂🙂 x", "\u200B", "\uE000\uE001",
        "\uD83D\uDE42", "x-", "-x-", "x'", "'x", "ǅ", "İ", "ß", "e\u0301", "‮", "\t", "a\tb", "a\nb", "\r\n x");
    for (String q : junk) {
      Api.Resp r = search(a, ann, q, "&room_id=" + room);
      if (q.isBlank()) {
        r.problem(400, "VALIDATION_FAILED");
      } else {
        assertEquals(200, r.status(), "q=" + q + ": " + r.body());
      }
    }
    // the words of the message, in several scripts, whole and while typed
    for (String q : List.of("café", "caf", "naïve", "日本語のテキスト", "日本", "Ελληνικά", "ελλην", "emoji 🙂", "done")) {
      assertEquals(1, ids(ann, q, room).size(), "q=" + q);
    }
    StringBuilder words = new StringBuilder();
    while (words.length() < 1000) {
      words.append(word()).append(' ');
    }
    String longest = words.substring(0, 1000);
    assertEquals(List.of(), ids(ann, longest, room), "1000 characters of words");
    // 10 KB of text: its words within the first 1,000 characters are searched
    assertEquals(List.of(), ids(ann, "words ".repeat(1700), room), "10 KB of one word");
    StringBuilder tenKb = new StringBuilder("done ");
    while (tenKb.length() < 10_240) {
      tenKb.append(tenKb.length() < 990 ? "café " : word() + " ");
    }
    assertEquals(1, ids(ann, tenKb.toString(), room).size(), "10 KB whose first 1,000 characters are words of the message");
    assertEquals(1, ids(ann, "日本語のテキスト ".repeat(400), room).size(), "10 KB of Japanese text (29 KB in the query string)");
    search(a, ann, "x".repeat(16_385), "").problem(400, "VALIDATION_FAILED");
    search(a, ann, "", "").problem(400, "VALIDATION_FAILED");
    search(a, ann, "   ", "").problem(400, "VALIDATION_FAILED");
    a.call("searchMessages", GET, "/search/messages?q=a%00b", token(ann), null).problem(400, "VALIDATION_FAILED");
    a.call("searchMessages", GET, "/search/messages", token(ann), null).problem(400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("a message sent on node A is found on node B right after the send answered")
  void acrossNodes() {
    JsonObject ann = a.newUser("ann");
    JsonObject ben = a.newUser("ben");
    long room = a.sharedRoom(ann, ben);
    String t = word();
    long id = a.send(ann, room, "across " + t).getLong("id");
    assertEquals(List.of(id), ids(found(b, ben, t, "")));
    assertEquals(List.of(id), ids(found(b, ben, "acr", "&room_id=" + room)));
  }

  @Test
  @DisplayName("with 100,000 messages in a room, the search statement reads the GIN index (EXPLAIN: Bitmap Index Scan on messages_search)")
  void usesTheIndex() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    String rare = word();
    Pool db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try {
      Api.await(db.preparedQuery(
          "WITH r AS (UPDATE rooms SET last_seq = last_seq + 100000 WHERE id = $1 RETURNING last_seq - 100000 AS base) "
              + "INSERT INTO messages (room_id, seq, author_id, client_msg_id, body, created_at) "
              + "SELECT $1, r.base + g, $2, 'bulk-' || g, 'filler message number ' || g "
              + "|| CASE WHEN g % 10000 = 0 THEN ' ' || $3 ELSE '' END, now() - (100000 - g) * interval '1 second' "
              + "FROM r, generate_series(1, 100000) g")
          .execute(Tuple.of(room, ann.getLong("id"), rare)));
      Api.await(db.query("ANALYZE messages").execute());
      for (String q : List.of(rare, rare.substring(0, 6), "filler " + rare)) {
        StringBuilder plan = new StringBuilder();
        for (Row r : Api.await(db.preparedQuery("EXPLAIN " + SearchSql.SEARCH)
            .execute(Tuple.of(ann.getLong("id"), q, SearchQuery.prefixWord(q), null, null, 21)))) {
          plan.append(r.getString(0)).append('\n');
        }
        assertTrue(plan.toString().contains("Bitmap Index Scan on " + SearchSql.INDEX), "q=" + q + ":\n" + plan);
      }
      JsonObject page = found(a, ann, rare, "");
      assertEquals(10, page.getJsonArray("items").size());
      assertNull(page.getString("next_before"));
      assertTrue(page.getJsonArray("items").getJsonObject(0).getString("snippet").contains("number 100000 <mark>" + rare));
      Set<Long> seqs = new HashSet<>();
      JsonArray items = page.getJsonArray("items");
      items.forEach(o -> seqs.add(((JsonObject) o).getLong("seq")));
      assertEquals(10, seqs.size());
    } finally {
      Api.await(db.preparedQuery("DELETE FROM rooms WHERE id = $1").execute(Tuple.of(room)));
      Api.await(db.close());
    }
  }
}
