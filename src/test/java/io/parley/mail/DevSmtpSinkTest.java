package io.parley.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.LogCapture;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import jakarta.mail.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The development SMTP sink (GreenMail, in the mail verticle when no SMTP host is set) and the
 * mail client's pooled connections to it (issue 18): a connection left idle after a mail must be
 * ended by the client (QUIT) before the sink times it out. GreenMail ends a connection idle for
 * 30 s with an unsolicited {@code 421}, which vertx-mail-client logged as
 * {@code ERROR SMTPConnection - dropping reply arriving after we stopped processing the buffer}.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The development SMTP sink")
class DevSmtpSinkTest {

  /** A node of the shared cluster that runs only the mail verticle, with {@code mail} settings on the defaults. */
  private static ParleyNode mailNode(TestCluster cluster, JsonObject mail) {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "mail-" + UUID.randomUUID(),
        TestCluster.freePort(), TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("mail"));
    cfg.getJsonObject("mail").mergeIn(mail);
    return Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
  }

  /** A new user who then asks for a password reset: a verification mail, then a reset mail. */
  private static String resetMailFor(Api api) {
    JsonObject user = api.newUser("sinkreset");
    api.call("forgotPassword", HttpMethod.POST, "/auth/password/forgot", null,
        new JsonObject().put("email", user.getString("email"))).expect(202);
    return user.getString("email");
  }

  @Test
  @DisplayName("after a password-reset mail the client ends its idle connection to the sink with QUIT before the sink's 30 s timeout: no error is logged")
  void idleConnectionToTheSinkEndsQuietly(Vertx vertx, TestCluster cluster) {
    int sinkPort = TestCluster.freePort();
    try (LogCapture log = new LogCapture()) {
      ParleyNode node = mailNode(cluster, new JsonObject().put("smtp_host", "").put("dev_sink_port", sinkPort));
      try {
        Api api = new Api(vertx, cluster.a().apiPort());
        String to = resetMailFor(api);
        waitUntil(() -> mailbox(api).stream().anyMatch(m -> m instanceof JsonObject j && to.equals(j.getString("to"))
            && j.getString("subject", "").toLowerCase(Locale.ROOT).contains("password")), 10, "the reset mail in the sink");
        assertTrue(openConnections(sinkPort) > 0, "the client keeps its connection to the sink for the next mail");
        // GreenMail answers a connection idle for 30 s with "421" and closes it; the client must not wait that long
        waitUntil(() -> openConnections(sinkPort) == 0, 25, "the client to end its idle connection before the sink's 30 s");
        assertEquals(List.of(), log.linesWith("dropping reply"), "the client never got a reply it did not ask for");
        assertTrue(log.linesWith("SMTPConnection").stream().noneMatch(l -> l.contains(" ERROR ")), "no SMTP error logged");
      } finally {
        Api.await(node.close());
      }
    }
  }

  @Test
  @DisplayName("an SMTP server that times out idle connections sooner (4 s) gets QUIT first with keep_alive_s below it: its 421 never reaches an idle connection")
  void serverTimeoutBelowTheDefault(Vertx vertx, TestCluster cluster) {
    int smtpPort = TestCluster.freePort();
    GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    smtp.getSmtp().setClientSocketTimeout(4000); // answers "421" and closes after 4 s without a command
    try (LogCapture log = new LogCapture()) {
      ParleyNode node = mailNode(cluster, new JsonObject().put("smtp_host", "127.0.0.1").put("smtp_port", smtpPort)
          .put("starttls", "DISABLED").put("keep_alive_s", 1));
      try {
        String to = resetMailFor(new Api(vertx, cluster.a().apiPort()));
        waitUntil(() -> Arrays.stream(smtp.getReceivedMessages()).anyMatch(m -> {
          try {
            return to.equals(m.getRecipients(Message.RecipientType.TO)[0].toString()) && m.getSubject().toLowerCase(Locale.ROOT).contains("password");
          } catch (Exception e) {
            return false;
          }
        }), 10, "the reset mail at the server");
        waitUntil(() -> openConnections(smtpPort) == 0, 20, "no connection to the server left open");
        assertEquals(List.of(), log.linesWith("dropping reply"), "the client never got a reply it did not ask for");
      } finally {
        Api.await(node.close());
        smtp.stop();
      }
    }
  }

  private static JsonArray mailbox(Api api) {
    Api.Resp resp = api.call("devMailbox", HttpMethod.GET, "/dev/mailbox", null, null);
    return resp.status() == 200 ? resp.json().getJsonArray("items") : new JsonArray();
  }

  /** Polls {@code condition} every 50 ms for up to {@code seconds} (the sink's timeout is 30 s: longer than Await's). */
  private static void waitUntil(BooleanSupplier condition, int seconds, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /**
   * TCP connections on loopback to or from {@code port} that are open (established, or closed by
   * one side only), from Linux's /proc/net/tcp and tcp6 (the sink's Java socket is IPv6 dual-stack).
   */
  private static long openConnections(int port) {
    String suffix = String.format(":%04X", port);
    long open = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        open += Files.readAllLines(Path.of(table)).stream().skip(1).map(String::trim).map(l -> l.split("\\s+"))
            .filter(f -> f.length > 3 && (f[1].endsWith(suffix) || f[2].endsWith(suffix)))
            .filter(f -> f[3].equals("01") || f[3].equals("08")) // ESTABLISHED, CLOSE_WAIT
            .count();
      } catch (IOException e) {
        throw new IllegalStateException("this test reads " + table + " (Linux)", e);
      }
    }
    return open;
  }
}
