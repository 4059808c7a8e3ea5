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

  private static void send(Browser b, String text) {
    WebElement input = b.find("[data-testid=composer-input]");
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        input.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
      }
      input.sendKeys(lines[i]);
    }
    input.sendKeys(Keys.ENTER);
  }

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

      send(b, "**bold** and *italic*, `x < y` see https://example.org/a_(b). or www.example.com, hi @" + me + " and @someone_else");
      Map<String, Object> m = newest(b, 1);
      assertEquals(List.of("SPAN.md-text", "STRONG", "EM", "CODE", "A", "A", "SPAN.mention.mention-me", "SPAN.mention"), m.get("tags"), m.toString());
      assertEquals(List.of("https://example.org/a_(b) noopener noreferrer _blank", "https://www.example.com/ noopener noreferrer _blank"),
          m.get("links"));
      assertEquals("bold and italic, x < y see https://example.org/a_(b). or www.example.com, hi @" + me + " and @someone_else",
          m.get("text"));

      send(b, "```\nlet a = **not bold**;\n<b>raw</b>\n```\n> quoted *words*\n> more\nafter snake_case_name");
      m = newest(b, 2);
      assertEquals(List.of("PRE.md-code", "CODE", "BLOCKQUOTE.md-quote", "EM", "SPAN.md-text"), m.get("tags"), m.toString());
      assertTrue(((String) m.get("text")).contains("let a = **not bold**;\n<b>raw</b>"), "code stays as typed: " + m.get("text"));
      assertTrue(((String) m.get("text")).contains("after snake_case_name"), "underscores inside words are not italic: " + m.get("text"));

      String hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) javascript:alert(4) "
          + "https://ok.example/\"><img src=x onerror=alert(5)> **<a href=\"javascript:alert(6)\">x</a>** data:text/html,<b>7</b>";
      send(b, hostile);
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
}
