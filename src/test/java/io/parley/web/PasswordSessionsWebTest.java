package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.DevMailNode;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * A new password ends the user's other open pages (issue 18), in headless Chromium with one
 * person in two browser profiles on different nodes: after a change of password in one, the
 * other goes to the log-in view saying why while the first goes on; after a reset by mail, both do.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("A new password signs out the other pages in a real browser")
class PasswordSessionsWebTest {
  private static final String SAID = "Your password was changed, so this session ended. Log in with the new password.";

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }


  /** The page went to the log-in view, saying that the password changed. */
  private static void signedOut(Browser b) {
    b.find("[data-testid=login-form]");
    b.waitText("[data-testid=notice]", SAID);
    assertTrue(b.all("#chat-view").stream().noneMatch(WebElement::isDisplayed), "the chat is gone");
  }

  @Test
  @DisplayName("a password changed on one page (node A) sends the other page (node B) to the log-in view with a notice; the first stays connected and can send")
  void changeSignsOutTheOtherPage(TestCluster cluster) {
    String name = "pw" + UUID.randomUUID().toString().substring(0, 6);
    try (Browser here = Browser.start(); Browser there = Browser.start()) {
      here.signUp(url(cluster.a()), name);
      there.logIn(url(cluster.b()), name + "@example.test", "correct horse");

      here.click("[data-testid=profile-link]");
      here.type("#password-change-form [name=current_password]", "correct horse");
      here.type("#password-change-form [name=new_password]", "another horse");
      here.click("[data-testid=password-save]");
      here.waitText("[data-testid=notice]", "Your password is changed. Your other sessions are signed out.");

      signedOut(there);

      // the page that changed it goes on, on its socket
      here.click("[data-testid=profile-back]");
      here.click("[data-testid=open-new-room]");
      here.type("#new-room-form [name=name]", "After " + name);
      here.click("#new-room-form button[type=submit]");
      here.waitText("[data-testid=room-name]", "After " + name);
      here.find("[data-testid=composer-input]").sendKeys("still here", Keys.ENTER);
      here.waitFor(d -> here.messageBodies().contains("still here") && here.all("[data-testid=pending]").isEmpty() ? true : null,
          "the message sent");
      here.waitText("[data-testid=conn-status]", "connected");

      // and the new password is the one that logs in
      there.logIn(url(cluster.b()), name + "@example.test", "another horse");
    }
  }

  @Test
  @DisplayName("a password reset by mail sends every open page of the user, on both nodes, to the log-in view with a notice")
  void resetSignsOutEveryPage(Vertx vertx, TestCluster cluster) {
    String name = "rs" + UUID.randomUUID().toString().substring(0, 6);
    String email = name + "@example.test";
    Api api = new Api(vertx, cluster.a().apiPort());
    try (DevMailNode mail = DevMailNode.start(cluster, url(cluster.a()));
         Browser one = Browser.start(); Browser two = Browser.start()) {
      one.signUp(url(cluster.a()), name);
      two.logIn(url(cluster.b()), email, "correct horse");

      api.call("forgotPassword", HttpMethod.POST, "/auth/password/forgot", null, new JsonObject().put("email", email)).expect(202);
      String token = DevMailNode.tokenOf(DevMailNode.awaitMail(api, email, "Reset your Parley password"));
      try (Browser third = Browser.start()) { // the link, opened elsewhere
        third.open(url(cluster.a()) + "#reset?token=" + token);
        third.type("#token-form [name=new_password]", "a reset horse");
        third.click("#token-form button[type=submit]");
        third.find("[data-testid=login-form]");
      }

      signedOut(one);
      signedOut(two);
      one.logIn(url(cluster.a()), email, "a reset horse");
    }
  }
}
