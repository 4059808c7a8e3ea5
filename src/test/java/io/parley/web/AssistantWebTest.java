package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.FakeModel;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The assistant in the web client, in headless Chromium, against the real server whose assistant
 * asks the run's fake model ({@link TestCluster#model()}, scripted here): the Assistant entry opens
 * the conversation, a reply grows in a draft as its deltas arrive and is replaced by the stored
 * message, Stop cuts it short (marked stopped), a refusal shows as a notice, and a server without
 * a model shows the entry switched off with how to switch it on.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("The assistant in the web client, in a real browser")
class AssistantWebTest {

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }


  /** A wait that looks every 20 ms (the default half second would miss the states of a stream). */
  private static <T> T watch(Browser b, Function<WebDriver, T> condition, String what) {
    return new WebDriverWait(b.driver, Duration.ofSeconds(20), Duration.ofMillis(20))
        .ignoring(StaleElementReferenceException.class).withMessage(what).until(condition);
  }

  /** The drafts' texts and the assistant's shown messages ({body, status}), read in one go. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> screen(Browser b) {
    return (Map<String, Object>) b.driver.executeScript(
        "const q = (s) => [...document.querySelectorAll('[data-testid=messages] ' + s)];"
            + "return {"
            + "  drafts: q('[data-testid=assistant-draft] [data-testid=draft-body]').map(e => e.innerText),"
            + "  replies: q('[data-testid=message]').filter(m => m.querySelector('[data-testid=bot-badge]')).map(m => ({"
            + "    body: (m.querySelector('[data-testid=message-body]') || {}).innerText || '',"
            + "    status: (m.querySelector('[data-testid=reply-status]') || { dataset: {} }).dataset.status || ''}))"
            + "};");
  }

  @SuppressWarnings("unchecked")
  private static List<String> drafts(Map<String, Object> screen) {
    return (List<String>) screen.get("drafts");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, String>> replies(Map<String, Object> screen) {
    return (List<Map<String, String>>) screen.get("replies");
  }

  /** Opens the conversation from the Assistant entry, which is then marked open. */
  private static void openAssistant(Browser b) {
    b.find("[data-testid=assistant-entry][data-configured=true]");
    b.click("[data-testid=assistant-open]");
    b.waitText("[data-testid=room-name]", "@assistant");
    b.find("[data-testid=assistant-entry].active");
  }

  @Test
  @DisplayName("the Assistant entry opens the conversation; a reply grows in a draft as it streams, then the stored message replaces it")
  void streamsAReply(TestCluster cluster) {
    FakeModel model = TestCluster.model().reset().delay(150);
    List<String> pieces = List.of("Hel", "lo, ", "I am ", "the fake ", "model, ", "streaming.");
    String full = String.join("", pieces);
    model.reply(pieces);
    try (Browser a = Browser.start()) {
      a.signUp(url(cluster.a()), unique("ann"));
      openAssistant(a);
      assertEquals("Assistant", a.find("[data-testid=assistant-entry]").getText(), "the entry, nothing more");
      assertTrue(a.all("[data-testid=room-list] [data-testid=room-item]").isEmpty(),
          "the conversation is not listed twice: the entry stands for it");
      a.send("hello assistant");

      // the draft, seen growing: at least two different partial texts, each a start of the reply
      Set<String> partials = new LinkedHashSet<>();
      watch(a, d -> {
        for (String text : drafts(screen(a))) {
          if (!text.isEmpty()) {
            partials.add(text);
          }
        }
        return partials.size() >= 2 ? true : null;
      }, "two different partial texts in the draft");
      a.screenshot(Path.of("target", "screenshots", "assistant-draft.png"));
      for (String p : partials) {
        assertTrue(full.startsWith(p) && p.length() < full.length(), "a partial text: '" + p + "' of " + partials);
      }
      a.find("[data-testid=assistant-draft] [data-testid=assistant-stop]"); // a reply to us may be stopped

      // the stored reply replaces the draft in the same render: never both, never two
      Map<String, Object> end = watch(a, d -> {
        Map<String, Object> s = screen(a);
        return replies(s).isEmpty() ? null : s;
      }, "the stored reply");
      assertEquals(List.of(), drafts(end), "no draft left beside the stored reply");
      assertEquals(List.of(Map.of("body", full, "status", "")), replies(end), "exactly one reply, complete");
      assertEquals(List.of("hello assistant", full), a.messageBodies());
      a.screenshot(Path.of("target", "screenshots", "assistant-reply.png"));

      JsonArray asked = model.requests().get(0).getJsonArray("messages");
      assertEquals("hello assistant", asked.getJsonObject(asked.size() - 1).getString("content"), "the model was asked our message");
    }
  }

  @Test
  @DisplayName("Stop cuts a reply short (stored as it stood, marked stopped); a message sent meanwhile is refused as busy; the room answers again after")
  void stopsAReply(TestCluster cluster) {
    FakeModel model = TestCluster.model().reset().delay(200);
    List<String> pieces = IntStream.rangeClosed(1, 40).mapToObj(i -> "word" + i + " ").toList();
    String full = String.join("", pieces);
    model.reply(pieces);
    try (Browser a = Browser.start()) {
      a.signUp(url(cluster.b()), unique("bea"));
      openAssistant(a);
      a.send("tell me a long story");
      watch(a, d -> drafts(screen(a)).stream().anyMatch(t -> !t.isEmpty()) ? true : null, "the first piece in the draft");

      // one reply at a time: a second message is stored, not answered, and the notice says why
      a.send("and quickly");
      a.find("[data-testid=assistant-notice][data-code=ASSISTANT_BUSY]");
      assertTrue(a.find("[data-testid=assistant-notice-text]").getText().contains("wait for the current answer"),
          a.find("[data-testid=assistant-notice-text]").getText());
      a.click("[data-testid=assistant-dismiss]");
      a.waitFor(d -> a.all("[data-testid=assistant-notice]").get(0).isDisplayed() ? null : true, "the notice dismissed");

      a.click("[data-testid=assistant-stop]");
      Map<String, Object> end = watch(a, d -> {
        Map<String, Object> s = screen(a);
        return replies(s).isEmpty() ? null : s;
      }, "the stopped reply");
      assertEquals(List.of(), drafts(end), "no draft left");
      Map<String, String> stopped = replies(end).get(0);
      assertEquals(1, replies(end).size());
      assertEquals("cancelled", stopped.get("status"));
      assertTrue(!stopped.get("body").isEmpty() && full.startsWith(stopped.get("body")) && stopped.get("body").length() < full.trim().length(),
          "a start of the reply, cut short: '" + stopped.get("body") + "'");
      assertEquals("stopped", a.find("[data-testid=message] [data-testid=reply-status]").getText());
      a.screenshot(Path.of("target", "screenshots", "assistant-stopped.png"));

      // the room is free again: the next message is answered in full
      model.reply("Still ", "here.");
      a.send("are you there?");
      watch(a, d -> {
        Map<String, Object> s = screen(a);
        return replies(s).size() == 2 && drafts(s).isEmpty() ? true : null;
      }, "the second reply");
      assertEquals(List.of("cancelled", ""), replies(screen(a)).stream().map(r -> r.get("status")).collect(Collectors.toList()));
      assertEquals("Still here.", replies(screen(a)).get(1).get("body"));
      assertEquals(List.of("tell me a long story", "and quickly", stopped.get("body"), "are you there?", "Still here."),
          new ArrayList<>(a.messageBodies()));
      assertEquals(2, model.requests().size(), "the busy message was not sent to the model");
    }
  }

  @Test
  @DisplayName("on a server without a model the Assistant entry is off and says how an operator switches it on")
  void offWithoutAModel(TestCluster cluster) {
    int apiPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "none", "assistant-off", apiPort, TestCluster.freePort());
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway").add("persistence").add("assistant"));
    cfg.getJsonObject("assistant").put("base_url", "");
    ParleyNode node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    try (Browser a = Browser.start()) {
      a.signUp("http://127.0.0.1:" + apiPort + "/", unique("cy"));
      a.find("[data-testid=assistant-entry][data-configured=false]");
      String explanation = a.find("[data-testid=assistant-off]").getText();
      assertTrue(explanation.contains("The assistant is off on this server")
          && explanation.contains("PARLEY_ASSISTANT_BASE_URL"), explanation);
      assertEquals("true", a.find("[data-testid=assistant-open]").getAttribute("aria-disabled"));
      a.click("[data-testid=assistant-open]");
      assertEquals("Pick a room", a.find("[data-testid=room-name]").getText(), "nothing to open");
      a.screenshot(Path.of("target", "screenshots", "assistant-off.png"));
    } finally {
      Api.await(node.close());
    }
  }
}
