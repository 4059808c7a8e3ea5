package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Keys;

/**
 * Message search in the web client, in headless Chromium against the real server: hits grouped
 * by room with the matched words marked, a hit opening its room at that message though it lies
 * outside the newest page, snippets shown as text (never HTML), more pages, the empty state, and
 * Escape ending the search.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Message search in the web client, in a real browser")
class SearchWebTest {

  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Api.await(vertx.close());
  }

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  /** A word no other test writes: letters only, so the search reads it as one word. */
  private static String word(String prefix) {
    StringBuilder w = new StringBuilder(prefix);
    for (int i = 0; i < 8; i++) {
      w.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }
    return w.toString();
  }


  /** What the search results show, read in one go (they are redrawn as answers arrive). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> results(Browser b) {
    return (Map<String, Object>) b.driver.executeScript(
        "const box = document.querySelector('[data-testid=search-results]');"
            + "const q = (s) => [...box.querySelectorAll(s)];"
            + "return {"
            + "  shown: !box.hidden,"
            + "  text: box.innerText,"
            + "  status: (box.querySelector('[data-testid=search-status]') || {}).innerText || '',"
            + "  rooms: q('[data-testid=search-room]').map(e => e.innerText),"
            + "  snippets: q('[data-testid=search-snippet]').map(e => e.textContent),"
            + "  marks: q('[data-testid=search-snippet] mark').map(e => e.textContent),"
            + "  elements: q('[data-testid=search-snippet] *').map(e => e.tagName.toLowerCase()),"
            + "  authors: q('[data-testid=search-hit] .meta strong').map(e => e.textContent),"
            + "  more: !!box.querySelector('[data-testid=search-more]:not([disabled])')"
            + "};");
  }

  @SuppressWarnings("unchecked")
  private static List<String> list(Map<String, Object> results, String key) {
    return (List<String>) results.get(key);
  }

  /** Types a query into the search box (each keystroke restarts the pause before searching). */
  private static void search(Browser b, String q) {
    b.type("[data-testid=search-input]", q);
  }

  @Test
  @DisplayName("a word from an early message is found and marked; its hit opens the room at that message, scrolled into view and highlighted")
  void findsAndOpensAnEarlyMessage(TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("seeker");
    JsonObject room = api.newRoom(user, false);
    long roomId = room.getLong("id");
    String needle = word("aardvark");
    String bold = word("bolded");
    String early = "early news: the " + needle + " was seen near the river";
    // 82 messages: the target third, so the room opens on the newest 50 without it
    api.send(user, roomId, "first message");
    api.send(user, roomId, "second message");
    api.send(user, roomId, early);
    for (int i = 4; i <= 80; i++) {
      api.send(user, roomId, "filler " + i);
    }
    api.send(user, roomId, "markup <b>x</b> " + bold);
    api.send(user, roomId, "the last one");

    try (Browser b = Browser.start()) {
      b.logIn(url(cluster.a()), user.getString("email"));
      b.click("[data-testid=room-item][data-room-id='" + roomId + "']");
      b.waitFor(d -> b.messageBodies().size() == 50 ? true : null, "the newest page of the room");
      assertFalse(b.messageBodies().contains(early), "the early message is not in the newest page");

      // typing searches after a pause; the hit is grouped under its room with the word marked
      search(b, needle);
      Map<String, Object> found = b.waitFor(d -> {
        Map<String, Object> r = results(b);
        return list(r, "snippets").size() == 1 ? r : null;
      }, "one hit for " + needle);
      assertEquals(List.of(room.getString("name")), list(found, "rooms"), "grouped under the room's name");
      assertEquals(List.of(needle), list(found, "marks"), "the word marked");
      assertTrue(list(found, "snippets").get(0).contains(needle + " was seen"), "the snippet: " + found);
      assertEquals(List.of(user.getString("username")), list(found, "authors"), "the author named");
      assertTrue(((String) found.get("status")).startsWith("1 message matches"), "the count: " + found);
      assertFalse(((String) found.get("text")).contains("null"), "nothing but the hits: " + found);

      // the hit opens the room at that message: loaded, scrolled into view, highlighted
      b.click("[data-testid=search-hit]");
      b.waitFor(d -> b.driver.executeScript(
          "const list = document.querySelector('#messages');"
              + "const m = [...list.querySelectorAll('[data-testid=message].found')]"
              + "  .find(e => e.querySelector('[data-testid=message-body]').innerText === arguments[0]);"
              + "if (!m) return null;"
              + "const r = m.getBoundingClientRect(), v = list.getBoundingClientRect();"
              + "return r.top >= v.top && r.bottom <= v.bottom ? true : null;", early),
          "the early message shown highlighted and in view");
      List<String> bodies = b.messageBodies();
      assertEquals("first message", bodies.get(0), "the history before it loaded too (the room starts here)");
      assertEquals("the last one", bodies.get(bodies.size() - 1), "and up to the newest, without a gap");
      assertEquals(82, bodies.size());
      b.screenshot(Path.of("target", "screenshots", "search.png"));
      // the highlight is brief
      b.waitFor(d -> b.all("[data-testid=message].found").isEmpty() ? true : null, "the highlight gone");

      // a body with markup: the snippet shows it as text, never as elements
      search(b, bold);
      Map<String, Object> markup = b.waitFor(d -> {
        Map<String, Object> r = results(b);
        return list(r, "marks").equals(List.of(bold)) ? r : null;
      }, "one hit for " + bold);
      assertTrue(list(markup, "snippets").get(0).contains("<b>x</b>"), "the literal text: " + markup);
      assertEquals(List.of("mark"), list(markup, "elements"), "no element but the mark");
      assertEquals(1, list(markup, "snippets").size());

      // many hits come a page at a time (newest first); More appends the older ones
      b.find("[data-testid=search-input]").sendKeys(Keys.chord(Keys.CONTROL, "a"), "filler", Keys.ENTER);
      Map<String, Object> first = b.waitFor(d -> {
        Map<String, Object> r = results(b);
        return (Boolean) r.get("more") && list(r, "snippets").size() >= 10 ? r : null;
      }, "a first page of filler hits with More");
      int firstPage = list(first, "snippets").size();
      assertTrue(list(first, "snippets").get(0).contains("filler 80"), "newest first: " + list(first, "snippets").get(0));
      b.click("[data-testid=search-more]");
      b.waitFor(d -> list(results(b), "snippets").size() > firstPage ? true : null, "older hits appended");

      // no hit: said so
      search(b, word("nothing"));
      b.waitFor(d -> ((String) results(b).get("status")).startsWith("No messages match") ? true : null, "the empty state");

      // Escape ends the search
      b.find("[data-testid=search-input]").sendKeys(Keys.ESCAPE);
      b.waitFor(d -> !(Boolean) results(b).get("shown") ? true : null, "the results closed");
      assertEquals("", b.find("[data-testid=search-input]").getAttribute("value"));
    }
  }
}
