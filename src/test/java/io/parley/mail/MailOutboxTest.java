package io.parley.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import io.vertx.core.net.NetServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The mail outbox against a real SMTP server (GreenMail) that goes down and comes back, with the
 * mail verticle on its own clustered node that is restarted in between.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The durable mail outbox")
class MailOutboxTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Pool db;
  private GreenMail smtp;
  private int smtpPort;
  private ParleyNode mailNode;
  private boolean parked;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    smtpPort = TestCluster.freePort();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    // the shared cluster's earlier tests left mail no node sent; parked, so this test's mail node
    // (which sends the oldest due mail first, one at a time while probing a server) sees only its own
    parked = Api.await(db.query("UPDATE mail_outbox SET next_attempt_at = now() + interval '1 day' "
        + "WHERE status = 'pending' RETURNING id").execute()).size() > 0;
  }

  @AfterEach
  void tearDown() {
    if (mailNode != null) {
      Api.await(mailNode.close());
    }
    if (parked) {
      Api.await(db.query("UPDATE mail_outbox SET next_attempt_at = now() "
          + "WHERE status = 'pending' AND next_attempt_at > now() + interval '23 hours'").execute());
    }
    smtp.stop();
    db.close();
  }

  /** A node of the shared cluster that runs only the mail verticle, sending to the test's SMTP server. */
  private ParleyNode startMailNode(int maxAttempts) {
    return startMailNode(new JsonObject().put("max_attempts", maxAttempts));
  }

  private ParleyNode startMailNode(JsonObject mail) {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "mail-" + UUID.randomUUID(),
        TestCluster.freePort(), TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("mail"));
    cfg.getJsonObject("mail").put("smtp_host", "127.0.0.1").put("smtp_port", smtpPort).put("starttls", "DISABLED")
        .mergeIn(mail);
    return Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
  }

  private String register(String prefix) {
    String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    new Api(vertx, cluster.a().apiPort()).call("register", io.vertx.core.http.HttpMethod.POST, "/auth/register", null,
        new JsonObject().put("email", name + "@example.test").put("username", name).put("password", "correct horse")).expect(201);
    return name + "@example.test";
  }

  private Row outboxRow(String to) {
    return Api.await(db.preparedQuery("SELECT status, attempts, last_error, params FROM mail_outbox WHERE to_address = $1")
        .execute(Tuple.of(to))).iterator().next();
  }

  private void awaitOutbox(String to, Predicate<Row> condition, String what) {
    Await.until(() -> condition.test(outboxRow(to)), what);
  }

  private long received(String to) {
    return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
      try {
        return to.equals(m.getRecipients(Message.RecipientType.TO)[0].toString());
      } catch (Exception e) {
        return false;
      }
    }).count();
  }

  @Test
  @DisplayName("with SMTP down mail waits and is retried; a restart of the mail verticle loses none; once SMTP is back it arrives exactly once")
  void survivesOutageAndRestart() throws Exception {
    mailNode = startMailNode(100);
    String to = register("outage");
    awaitOutbox(to, r -> r.getInteger("attempts") >= 2 && "pending".equals(r.getString("status")), "retried while SMTP is down");
    assertNotNull(outboxRow(to).getString("last_error"), "the error is kept");

    Api.await(mailNode.close()); // the mail verticle goes away with the mail still unsent
    mailNode = null;
    smtp.start();
    mailNode = startMailNode(100);

    awaitOutbox(to, r -> "sent".equals(r.getString("status")), "sent after SMTP came back");
    assertTrue(smtp.waitForIncomingEmail(10_000, 1));
    assertEquals(1, received(to), "delivered once");
    MimeMessage mail = Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
      try {
        return to.equals(m.getRecipients(Message.RecipientType.TO)[0].toString());
      } catch (Exception e) {
        return false;
      }
    }).findFirst().orElseThrow();
    assertEquals("Verify your e-mail address for Parley", mail.getSubject());
    assertTrue(mail.getHeader("Message-ID")[0].startsWith("<parley-outbox-"));
    assertEquals(null, outboxRow(to).getValue("params"), "the link token is not kept once sent");

    // more mail while everything is up goes out at once, and the first one is not sent again
    String next = register("later");
    awaitOutbox(next, r -> "sent".equals(r.getString("status")), "the next mail is sent");
    assertEquals(1, received(to));
    assertEquals(1, received(next));
  }

  @Test
  @DisplayName("after max_attempts a mail is given up with its last error kept")
  void givesUp() {
    mailNode = startMailNode(2);
    String to = register("doomed");
    awaitOutbox(to, r -> "failed".equals(r.getString("status")), "given up");
    Row row = outboxRow(to);
    assertEquals(2, row.getInteger("attempts"));
    assertTrue(row.getString("last_error").length() > 0);
  }

  @Test
  @DisplayName("with the SMTP server down a backlog costs one probe per back-off, not a try per mail; when it is back all of it goes out once")
  void backlogBacksOffPerServer() {
    // a "server" that accepts and hangs up at once: every SMTP connection attempt is counted
    AtomicInteger connections = new AtomicInteger();
    NetServer down = Api.await(vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      socket.close();
    }).listen(smtpPort, "127.0.0.1"));
    int batch = 5;
    int backlog = 30;
    List<String> to = new ArrayList<>();
    for (int i = 0; i < backlog; i++) {
      to.add(register("backlog"));
    }
    mailNode = startMailNode(new JsonObject().put("max_attempts", 100).put("batch_size", batch)
        .put("backoff_base_ms", 200).put("server_backoff_max_ms", 400));

    // the first batch fails, then one mail at a time probes the server
    Await.until(() -> attemptsOf(to) >= batch + 3, "three probes after the first batch");
    long untried = Api.await(db.preparedQuery("SELECT count(*) FROM mail_outbox WHERE to_address = ANY($1) AND attempts = 0")
        .execute(Tuple.of(to.toArray(new String[0])))).iterator().next().getLong(0);
    assertTrue(untried >= backlog - batch - 4, "the backlog waits for the server, untried: " + untried);
    assertTrue(connections.get() <= attemptsOf(to), "one connection per attempt at most: " + connections.get());

    Api.await(down.close());
    smtp.start(); // the server is back on the same port: the next probe gets through, then full batches
    for (String address : to) {
      awaitOutbox(address, r -> "sent".equals(r.getString("status")), "sent after the outage: " + address);
    }
    assertTrue(smtp.waitForIncomingEmail(10_000, backlog));
    for (String address : to) {
      assertEquals(1, received(address), "delivered once: " + address);
    }
  }

  private long attemptsOf(List<String> to) {
    return Api.await(db.preparedQuery("SELECT COALESCE(sum(attempts), 0) FROM mail_outbox WHERE to_address = ANY($1)")
        .execute(Tuple.of(to.toArray(new String[0])))).iterator().next().getLong(0);
  }
}
