package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Message text in the web client, in headless Chromium: links, mentions and the Markdown subset
 * are rendered as elements, and a hostile message makes no element but the allowed ones (no
 * script, image, handler attribute or javascript: link).
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Message text in a real browser: links, mentions, Markdown, safely")
class RichTextWebTest {
  /** The elements a message body may contain, and nothing else. */
  private static final List<String> ALLOWED = List.of("SPAN", "A", "CODE", "PRE", "BLOCKQUOTE", "STRONG", "EM");


  /** The newest stored message's body: its tags in document order, its links and its text. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> newest(Browser b, int count) {
    return b.waitFor(d -> {
      Object r = b.driver.executeScript("const ms = document.querySelectorAll('[data-testid=message] [data-testid=message-body]');"
          + "if (ms.length < arguments[0]) return null; const m = ms[ms.length - 1];"
          + "return {tags: [...m.querySelectorAll('*')].map(e => e.tagName + (e.className ? '.' + e.className.replace(/ /g, '.') : '')),"
          + " names: [...m.querySelectorAll('*')].map(e => e.tagName),"
          + " attrs: [...m.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)),"
          + " links: [...m.querySelectorAll('a')].map(a => a.getAttribute('href') + ' ' + a.rel + ' ' + a.target),"
          + " text: m.innerText};", count);
      return (Map<String, Object>) r;
    }, "message " + count);
  }

  @Test
  @DisplayName("bold, italic, code, code blocks, quotes, links and @mentions render as elements; hostile text stays text")
  void renderedSafely(TestCluster cluster) {
    String me = "md" + UUID.randomUUID().toString().substring(0, 6);
    try (Browser b = Browser.start()) {
      b.signUp("http://127.0.0.1:" + cluster.a().apiPort() + "/", me);
      b.click("[data-testid=open-new-room]");
      b.type("#new-room-form [name=name]", "text-" + me);
      b.click("#new-room-form button[type=submit]");
      b.waitText("[data-testid=room-name]", "text-" + me);

      b.send("**bold** and *italic*, `x < y` see https://example.org/a_(b). or www.example.com, hi @" + me + " and @someone_else");
      Map<String, Object> m = newest(b, 1);
      assertEquals(List.of("SPAN.md-text", "STRONG", "EM", "CODE", "A", "A", "SPAN.mention.mention-me", "SPAN.mention"), m.get("tags"), m.toString());
      assertEquals(List.of("https://example.org/a_(b) noopener noreferrer _blank", "https://www.example.com/ noopener noreferrer _blank"),
          m.get("links"));
      assertEquals("bold and italic, x < y see https://example.org/a_(b). or www.example.com, hi @" + me + " and @someone_else",
          m.get("text"));

      b.send("```\nlet a = **not bold**;\n<b>raw</b>\n```\n> quoted *words*\n> more\nafter snake_case_name");
      m = newest(b, 2);
      assertEquals(List.of("PRE.md-code", "CODE", "BLOCKQUOTE.md-quote", "EM", "SPAN.md-text"), m.get("tags"), m.toString());
      assertTrue(((String) m.get("text")).contains("let a = **not bold**;\n<b>raw</b>"), "code stays as typed: " + m.get("text"));
      assertTrue(((String) m.get("text")).contains("after snake_case_name"), "underscores inside words are not italic: " + m.get("text"));

      String hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) javascript:alert(4) "
          + "https://ok.example/\"><img src=x onerror=alert(5)> **<a href=\"javascript:alert(6)\">x</a>** data:text/html,<b>7</b>";
      b.send(hostile);
      m = newest(b, 3);
      for (Object name : (List<?>) m.get("names")) {
        assertTrue(ALLOWED.contains(name), "only allowed elements: " + m);
      }
      assertTrue(((List<?>) m.get("attrs")).stream().allMatch(a -> List.of("class", "href", "rel", "target", "data-testid",
          "data-username").contains(a)), "no handler attributes: " + m.get("attrs"));
      for (Object link : (List<?>) m.get("links")) {
        assertTrue(((String) link).startsWith("https://ok.example/"), "only http(s) links: " + m.get("links"));
      }
      assertEquals(hostile.replace("**<a", "<a").replace("</a>**", "</a>"), m.get("text"), "everything else as typed");
    }
  }

  @Test
  @DisplayName("typing @ and the start of a name offers the room's members; Tab or Enter completes it, Escape closes the list; the mention reads highlighted for its target")
  void mentionCompletion(io.vertx.core.Vertx vertx, TestCluster cluster) {
    io.parley.support.Api api = new io.parley.support.Api(vertx, cluster.a().apiPort());
    io.vertx.core.json.JsonObject ada = api.newUser("ada");
    io.vertx.core.json.JsonObject bob = api.newUser("bob");
    io.vertx.core.json.JsonObject bea = api.newUser("bea");
    long room = api.sharedRoom(ada, bob, bea);
    try (Browser b = Browser.start(); Browser other = Browser.start()) {
      for (Object[] who : new Object[][] {{b, ada}, {other, bob}}) {
        Browser x = (Browser) who[0];
        x.logIn("http://127.0.0.1:" + cluster.a().apiPort() + "/", ((io.vertx.core.json.JsonObject) who[1]).getString("email"));
        x.click("[data-testid=room-item][data-room-id='" + room + "']");
      }
      WebElement input = b.find("[data-testid=composer-input]");
      b.waitFor(d -> b.all("[data-testid=member-list] li").size() >= 3 || !b.all("[data-testid=mention-list]").isEmpty() ? true : null,
          "the members loaded");
      input.sendKeys("thanks @b");
      b.waitFor(d -> b.all("[data-testid=mention-option]").size() == 2 ? true : null, "bob and bea offered");
      assertEquals("true", input.getAttribute("aria-expanded"));
      input.sendKeys("o");
      b.waitFor(d -> b.all("[data-testid=mention-option]").size() == 1 ? true : null, "only bob");
      input.sendKeys(Keys.TAB);
      b.waitFor(d -> ("thanks @" + bob.getString("username") + " ").equals(input.getAttribute("value")) ? true : null, "completed");
      assertTrue(b.all("[data-testid=mention-option]").isEmpty(), "the list closed");
      input.sendKeys("and @b");
      b.waitFor(d -> b.all("[data-testid=mention-option]").size() == 2 ? true : null, "offered again");
      input.sendKeys(Keys.ESCAPE);
      b.waitFor(d -> b.all("[data-testid=mention-option]").isEmpty() ? true : null, "Escape closes it");
      input.sendKeys("ea");
      b.waitFor(d -> b.all("[data-testid=mention-option]").size() == 1 ? true : null, "bea");
      input.sendKeys(Keys.ENTER); // completes: does not send
      b.waitFor(d -> input.getAttribute("value").endsWith("@" + bea.getString("username") + " ") ? true : null, "completed with Enter");
      input.sendKeys(Keys.ENTER); // now it sends
      String sent = "thanks @" + bob.getString("username") + " and @" + bea.getString("username");
      other.waitFor(d -> other.messageBodies().stream().anyMatch(t -> t.strip().equals(sent)) ? true : null,
          "bob gets it (shown: " + other.messageBodies() + ")");
      assertEquals(List.of(bob.getString("username")), other.driver.executeScript(
          "return [...document.querySelectorAll('[data-testid=message] .mention.mention-me')].map(e => e.dataset.username)"),
          "the mention of bob is highlighted for bob, bea's is not");
    }
  }
}
