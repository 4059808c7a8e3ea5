package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reading a room in the web client, in headless Chromium: a line for each day ("Today",
 * "Yesterday", then dates), one author's messages within 5 minutes grouped under one name, and
 * the full date and time of a message on hover. Earlier days are made by moving the messages'
 * created_at back in the database (the server stamps sends with now()).
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Reading a room in a real browser: day dividers, grouped authors, full times")
class ReadingWebTest {

  @Test
  @DisplayName("messages of three days get three dividers; an author's run within 5 minutes shows one name; times carry the full date")
  void daysAndGroups(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject ann = api.newUser("ann");
    JsonObject bob = api.newUser("bob");
    long room = api.sharedRoom(ann, bob);
    api.call("updateMe", io.vertx.core.http.HttpMethod.PATCH, "/users/me", ann.getString("access_token"),
        new JsonObject().put("first_name", "Ann").put("last_name", "Smith")).expect(200);
    long old = api.send(ann, room, "three days ago").getLong("id");
    long y1 = api.send(bob, room, "yesterday one").getLong("id");
    long y2 = api.send(bob, room, "yesterday two").getLong("id");
    api.send(bob, room, "today by bob");
    api.send(ann, room, "today one");
    api.send(ann, room, "today two");
    Pool db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try {
      Api.await(db.preparedQuery("UPDATE messages SET created_at = created_at - $2 * interval '1 day' WHERE id = $1")
          .executeBatch(List.of(Tuple.of(old, 3), Tuple.of(y1, 1), Tuple.of(y2, 1))));
    } finally {
      db.close();
    }

    try (Browser b = Browser.start()) {
      b.logIn("http://127.0.0.1:" + cluster.b().apiPort() + "/", bob.getString("email"));
      b.click("[data-testid=room-item][data-room-id='" + room + "']");
      b.waitFor(d -> b.messageBodies().size() == 6 ? true : null, "the six messages");

      @SuppressWarnings("unchecked")
      Map<String, Object> shown = (Map<String, Object>) b.driver.executeScript(
          "const items = [...document.querySelectorAll('#messages > li')];"
          + "return {rows: items.filter(li => li.matches('[data-testid=day-divider], [data-testid=message]')).map(li =>"
          + "  li.dataset.testid === 'day-divider' ? 'day ' + li.innerText"
          + "  : (li.classList.contains('grouped') ? '  ' : '') + li.querySelector('[data-testid=message-body]').innerText),"
          + " title: document.querySelector('[data-testid=message] time').title,"
          + " author: [...document.querySelectorAll('[data-testid=message]:not(.grouped) .meta .author')].map(e => e.textContent).slice(0, 2).join('')};");
      // the browser's time zone is the machine's; days are counted there, as the client does
      LocalDate threeDaysAgo = LocalDate.now(ZoneId.systemDefault()).minusDays(3);
      String weekday = threeDaysAgo.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      List<?> rows = (List<?>) shown.get("rows");
      assertEquals(List.of("three days ago", "day Yesterday", "yesterday one", "  yesterday two", "day Today", "today by bob",
          "today one", "  today two"), rows.subList(1, rows.size()), "dividers and groups: " + rows);
      assertTrue(((String) rows.get(0)).startsWith("day " + weekday) && ((String) rows.get(0)).contains(String.valueOf(threeDaysAgo.getYear())),
          "the first divider is the date: " + rows.get(0));
      assertEquals("Ann Smith @" + ann.getString("username"), shown.get("author"), "the author's name, with the username beside it");
      String title = (String) shown.get("title");
      assertTrue(title.contains(String.valueOf(threeDaysAgo.getYear())) && title.contains(weekday), "the full date and time on hover: " + title);
    }
  }

  @Test
  @DisplayName("reopening a room with 70 unread: a New messages line above the first of them, reached with the jump button (older pages loaded), then Jump to latest")
  void newMessagesLine(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject ada = api.newUser("ada");
    JsonObject bo = api.newUser("bo");
    long room = api.sharedRoom(ada, bo);
    long elsewhere = api.sharedRoom(ada, bo);
    for (int i = 0; i < 5; i++) {
      api.send(bo, room, "old " + i);
    }
    try (Browser b = Browser.start()) {
      b.logIn("http://127.0.0.1:" + cluster.a().apiPort() + "/", ada.getString("email"));
      b.click("[data-testid=room-item][data-room-id='" + room + "']");
      b.waitFor(d -> b.messageBodies().contains("old 4") ? true : null, "the old messages");
      io.parley.support.Await.until(() -> {
        JsonObject r = api.call("getRoom", io.vertx.core.http.HttpMethod.GET, "/rooms/" + room, ada.getString("access_token"), null)
            .expect(200).json();
        return r.getLong("last_read_seq").equals(r.getLong("last_seq"));
      }, "ada has read the room");
      assertEquals(1, b.all("[data-testid=new-messages]").size(), "the five were unread at opening: a line above them");

      b.click("[data-testid=room-item][data-room-id='" + elsewhere + "']");
      for (int i = 0; i < 70; i++) {
        api.send(bo, room, "new " + i);
      }
      b.find("[data-testid=room-item][data-room-id='" + room + "'] [data-testid=unread]");
      b.open("http://127.0.0.1:" + cluster.a().apiPort() + "/"); // a fresh page: only the latest 50 get loaded
      b.waitText("[data-testid=conn-status]", "connected");
      b.click("[data-testid=room-item][data-room-id='" + room + "']");
      b.waitFor(d -> b.messageBodies().contains("new 69") ? true : null, "the newest message");
      // the line is older than the latest page: the button counts the unread loaded and brings it
      b.waitText("[data-testid=jump-unread]", "↑ 50 new messages");
      assertEquals(0, b.all("[data-testid=new-messages]").size(), "the line is not loaded yet");
      b.click("[data-testid=jump-unread]");
      b.find("[data-testid=new-messages]");
      String after = (String) b.driver.executeScript("const l = document.querySelector('[data-testid=new-messages]');"
          + "let n = l.nextElementSibling; while (n && n.dataset.testid !== 'message') n = n.nextElementSibling;"
          + "return n.querySelector('[data-testid=message-body]').innerText;");
      assertEquals("new 0", after, "the line is above the first unread message");
      b.waitFor(d -> (Boolean) b.driver.executeScript("const l = document.querySelector('[data-testid=new-messages]').getBoundingClientRect();"
          + "const v = document.querySelector('#messages').getBoundingClientRect(); return l.top >= v.top - 1 && l.bottom <= v.bottom + 1;")
          ? true : null, "the line in view");
      b.waitFor(d -> b.all("[data-testid=jump-unread]").stream().noneMatch(org.openqa.selenium.WebElement::isDisplayed) ? true : null,
          "the unread button gone once the line is in view");

      b.find("[data-testid=jump-latest]"); // offered (find waits until it shows)
      b.click("[data-testid=jump-latest]");
      b.waitFor(d -> (Boolean) b.driver.executeScript("const l = document.querySelector('#messages');"
          + "return l.scrollHeight - l.scrollTop - l.clientHeight < 5;") ? true : null, "at the end of the room");
      b.waitFor(d -> b.all("[data-testid=jump-latest]").stream().noneMatch(org.openqa.selenium.WebElement::isDisplayed) ? true : null,
          "Jump to latest gone at the end");
    }
  }
}
