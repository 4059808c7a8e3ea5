package io.parley.support;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of the run's cluster that runs only the mail verticle, with the development SMTP sink:
 * the mail it sends (the outbox of the whole cluster) is read over {@code GET /dev/mailbox} of any
 * API node. Its links point at {@code publicUrl}.
 */
public final class DevMailNode implements AutoCloseable {
  private final ParleyNode node;

  private DevMailNode(ParleyNode node) {
    this.node = node;
  }

  /** Starts the node; mail links point at {@code publicUrl} (an API node of the cluster). */
  public static DevMailNode start(TestCluster cluster, String publicUrl) {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "mail-" + UUID.randomUUID(),
        TestCluster.freePort(), TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("mail"));
    cfg.getJsonObject("mail").put("smtp_host", "").put("dev_sink_port", TestCluster.freePort()).put("public_url", publicUrl);
    return new DevMailNode(Api.await(ParleyNode.start(ParleyConfig.of(cfg))));
  }

  /** Waits for a mail to {@code to} whose subject contains {@code subject}, read through {@code api}'s dev mailbox. */
  public static JsonObject awaitMail(Api api, String to, String subject) {
    JsonObject[] found = new JsonObject[1];
    Await.until(() -> {
      Api.Resp box = api.call("devMailbox", HttpMethod.GET, "/dev/mailbox", null, null);
      if (box.status() != 200) {
        return false;
      }
      for (Object o : box.json().getJsonArray("items")) {
        JsonObject mail = (JsonObject) o;
        if (to.equals(mail.getString("to")) && mail.getString("subject", "").contains(subject)) {
          found[0] = mail;
          return true;
        }
      }
      return false;
    }, "a mail '" + subject + "' to " + to);
    return found[0];
  }

  /** The token of the link in a mail's text. */
  public static String tokenOf(JsonObject mail) {
    Matcher m = Pattern.compile("token=([A-Za-z0-9_-]+)").matcher(mail.getString("text"));
    if (!m.find()) {
      throw new AssertionError("no link with a token in " + mail.getString("text"));
    }
    return m.group(1);
  }

  @Override
  public void close() {
    Api.await(node.close());
  }
}
