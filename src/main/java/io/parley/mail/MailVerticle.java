package io.parley.mail;

import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the mail of the durable outbox (table {@code mail_outbox}, owned by persistence) over
 * SMTP with vertx-mail-client.
 *
 * <p>It claims due mail in batches with a lease ({@code parley.persistence.outbox.claim}),
 * renders the template, sends it, and settles the batch in one request
 * ({@code parley.persistence.outbox.settle}): sent, or pending again after an exponential
 * backoff ({@code backoff_base_ms · 2^(attempt-1)}, capped at {@code backoff_max_ms}, with
 * jitter), or failed after {@code max_attempts} with the last error kept. When the SMTP server
 * cannot be reached, the server is backed off as a whole ({@link ServerBackoff}): nothing is
 * claimed until one probe mail gets through, so a backlog of thousands costs one attempt per
 * back-off period, not one per mail. It runs when told that
 * mail is ready ({@code parley.mail.outbox-ready}) and every {@code poll_interval_ms}. A mail
 * whose sender died mid-send is claimed again once its lease expires; each mail carries the
 * Message-ID {@code <parley-outbox-ID@parley>}, so a receiver can drop the rare duplicate.
 *
 * <p>With metrics on it counts the outbox every {@code stats_interval_ms} for two gauges.
 *
 * <p>It keeps an SMTP connection for the next mail for {@code keep_alive_s}, then ends it with
 * QUIT: set it below the server's idle timeout (the development sink's is 30 s).
 *
 * <p>With no {@code smtp_host} it starts the development SMTP sink (GreenMail) and answers
 * {@code parley.mail.dev-mailbox} with what the sink received.
 */
public class MailVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MailVerticle.class);

  private Bus bus;
  private MailClient client;
  private DevSmtpSink sink;
  private Templates templates;
  private String from;
  private int maxAttempts;
  private long backoffBaseMs;
  private long backoffMaxMs;
  private int batchSize;
  private int leaseS;
  private ServerBackoff server;
  private boolean draining;
  private boolean again;
  private long resumeTimer = -1;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    bus = new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L));
    templates = new Templates(cfg.getString("public_url", "http://localhost:8080"));
    from = cfg.getString("from", "Parley <no-reply@parley.local>");
    maxAttempts = cfg.getInteger("max_attempts", 8);
    backoffBaseMs = cfg.getLong("backoff_base_ms", 2000L);
    backoffMaxMs = cfg.getLong("backoff_max_ms", 600_000L);
    batchSize = cfg.getInteger("batch_size", 20);
    leaseS = cfg.getInteger("lease_s", 60);
    server = new ServerBackoff(cfg.getString("smtp_host", "").isBlank() ? "(development sink)"
        : cfg.getString("smtp_host") + ":" + cfg.getInteger("smtp_port", 587),
        backoffBaseMs, cfg.getLong("server_backoff_max_ms", 60_000L));

    String host = cfg.getString("smtp_host", "");
    // An idle pooled connection is ended with QUIT after keep_alive_s (the pool's cleaner), before
    // the server times it out: servers end idle connections with an unsolicited "421" (the dev
    // sink, GreenMail, after 30 s), which the client, expecting no reply, logged as an ERROR
    // ("dropping reply arriving after we stopped processing the buffer").
    int keepAliveS = Math.max(1, cfg.getInteger("keep_alive_s", 10));
    MailConfig mail = new MailConfig().setKeepAlive(true).setKeepAliveTimeout(keepAliveS)
        .setKeepAliveTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS).setConnectTimeout(5000);
    // a server that goes silent must not hold the outbox forever; longer than keep_alive_s, so an
    // idle connection is ended politely first
    mail.setIdleTimeout(Math.max(30, keepAliveS + 20));
    Future<Void> smtpReady;
    if (host.isBlank()) {
      String sinkHost = cfg.getString("dev_sink_host", "127.0.0.1");
      int sinkPort = cfg.getInteger("dev_sink_port", 2525);
      sink = new DevSmtpSink(sinkHost, sinkPort);
      LOG.warn("No SMTP host configured (PARLEY_MAIL_SMTP_HOST is empty): mail goes to an IN-PROCESS SMTP sink "
          + "on {}:{}; read it in the web client's dev mailbox at /#mailbox", sinkHost, sinkPort);
      mail.setHostname(sinkHost).setPort(sinkPort).setStarttls(StartTLSOptions.DISABLED).setLogin(LoginOption.DISABLED);
      smtpReady = vertx.executeBlocking(() -> {
        sink.start();
        return null;
      });
    } else {
      mail.setHostname(host).setPort(cfg.getInteger("smtp_port", 587))
          .setStarttls(StartTLSOptions.valueOf(cfg.getString("starttls", "OPTIONAL").toUpperCase()));
      String user = cfg.getString("smtp_username", "");
      if (!user.isBlank()) {
        mail.setUsername(user).setPassword(cfg.getString("smtp_password", "")).setLogin(LoginOption.REQUIRED);
      } else {
        mail.setLogin(LoginOption.DISABLED);
      }
      smtpReady = Future.succeededFuture();
    }
    client = MailClient.create(vertx, mail);

    long poll = cfg.getLong("poll_interval_ms", 5000L);
    return smtpReady
        .compose(x -> vertx.executeBlocking(templates::preload)) // classpath reads: off the event loop
        .compose(x -> Future.all(
            vertx.eventBus().consumer(MAIL_OUTBOX_READY, m -> drain()).completion(),
            // only a development node with the sink answers, so the API finds no handler (404) elsewhere
            devMailbox(cfg) ? Bus.serve(vertx, MAIL_DEV_MAILBOX, m -> devMailbox()).completion() : Future.succeededFuture()))
        .onSuccess(x -> {
          vertx.setPeriodic(poll, t -> drain());
          drain();
          countForMetrics(cfg);
        });
  }

  /**
   * With metrics on, counts the outbox's pending and failed mail every {@code stats_interval_ms}
   * (one query over partial indexes, {@code outbox.stats}) for the gauges
   * {@code parley_mail_outbox_pending} and {@code parley_mail_outbox_failed}: cluster-wide
   * counts, the same on every mail node. A count that cannot be read leaves the last one.
   */
  private void countForMetrics(JsonObject cfg) {
    Meters meters = Meters.of(vertx);
    if (!meters.enabled()) {
      return;
    }
    java.util.concurrent.atomic.AtomicLongArray counts = new java.util.concurrent.atomic.AtomicLongArray(new long[] {-1, -1});
    meters.gauge(Meters.OUTBOX_PENDING, "Mail in the outbox not sent yet (cluster-wide; NaN until first counted)",
        () -> counts.get(0) < 0 ? Double.NaN : counts.get(0));
    meters.gauge(Meters.OUTBOX_FAILED, "Mail in the outbox given up on (cluster-wide; NaN until first counted)",
        () -> counts.get(1) < 0 ? Double.NaN : counts.get(1));
    Runnable count = () -> bus.request(OUTBOX_STATS, new JsonObject(), "mail-metrics").onSuccess(r -> {
      counts.set(0, r.getLong("pending"));
      counts.set(1, r.getLong("failed"));
    }).onFailure(err -> LOG.debug("outbox not counted: {}", err.getMessage()));
    count.run();
    vertx.setPeriodic(cfg.getLong("stats_interval_ms", 30_000L), t -> count.run());
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = client == null ? Future.succeededFuture() : client.close();
    return sink == null ? closed : closed.compose(x -> vertx.executeBlocking(() -> {
      sink.stop();
      return null;
    }));
  }

  /**
   * The mailbox shows every mail, reset links included, to anyone: it is offered only with the
   * sink and a site on this machine (public_url on localhost or 127.0.0.1), or when
   * {@code dev_mailbox: true} says so explicitly. A forgotten SMTP host in production keeps it off.
   */
  private boolean devMailbox(JsonObject cfg) {
    if (sink == null) {
      return false;
    }
    String host = java.net.URI.create(cfg.getString("public_url", "http://localhost:8080")).getHost();
    boolean local = "localhost".equals(host) || "127.0.0.1".equals(host);
    if (!local && !cfg.getBoolean("dev_mailbox", false)) {
      LOG.warn("The development SMTP sink runs but public_url is not local: the dev mailbox stays off. "
          + "Configure PARLEY_MAIL_SMTP_HOST for real mail.");
      return false;
    }
    return true;
  }

  private Future<JsonObject> devMailbox() {
    return vertx.executeBlocking(() -> new JsonObject().put("items", sink.list()));
  }

  /**
   * Sends due mail until none is left; one drain at a time per verticle. While the SMTP server is
   * backed off ({@link ServerBackoff}) it claims nothing; after that it claims one mail to probe
   * the server, and full batches again once one got through. Each batch is settled with one
   * request ({@code outbox.settle}).
   */
  private void drain() {
    if (draining) {
      again = true;
      return;
    }
    long wait = server.remainingMs();
    if (wait > 0) {
      resumeAfter(wait);
      return;
    }
    draining = true;
    again = false;
    int limit = server.probing() ? 1 : batchSize;
    bus.request(OUTBOX_CLAIM, new JsonObject().put("limit", limit).put("lease_s", leaseS), "mail-outbox")
        .compose(r -> {
          JsonArray items = r.getJsonArray("items");
          List<Future<Outcome>> sends = new ArrayList<>();
          for (int i = 0; i < items.size(); i++) {
            sends.add(deliver(items.getJsonObject(i)));
          }
          again = items.size() == limit;
          return Future.all(sends);
        })
        .compose(all -> settle(all.list()))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.debug("outbox not reachable: {}", ar.cause().getMessage());
          }
          draining = false;
          if (again) {
            vertx.runOnContext(v -> drain());
          }
        });
  }

  private void resumeAfter(long ms) {
    if (resumeTimer < 0) {
      resumeTimer = vertx.setTimer(ms, t -> {
        resumeTimer = -1;
        drain();
      });
    }
  }

  /**
   * What became of one claimed mail: sent, or failed with its error; whether the server could
   * not be reached, or the mail can never be sent (a template that cannot be rendered).
   */
  private record Outcome(long id, int attempts, String error, boolean serverUnreachable, boolean permanent) {
    boolean sent() {
      return error == null;
    }
  }

  /** Renders and sends one mail; never fails (a failure is an {@link Outcome} with its error). */
  private Future<Outcome> deliver(JsonObject item) {
    long id = item.getLong("id");
    int attempts = item.getInteger("attempts");
    Templates.Mail rendered;
    try {
      rendered = templates.render(item.getString("template"), item.getJsonObject("params"));
    } catch (RuntimeException e) {
      return Future.succeededFuture(new Outcome(id, attempts, "cannot render: " + e.getMessage(), false, true));
    }
    MailMessage message = new MailMessage()
        .setFrom(from)
        .setTo(item.getString("to_address"))
        .setSubject(rendered.subject())
        .setText(rendered.text())
        .setHtml(rendered.html())
        .addHeader("Message-ID", "<parley-outbox-" + id + "@parley>");
    return client.sendMail(message)
        .timeout(Math.max(5, leaseS / 2), java.util.concurrent.TimeUnit.SECONDS)
        .map(sent -> new Outcome(id, attempts, null, false, false))
        .otherwise(err -> new Outcome(id, attempts, String.valueOf(err.getMessage()), ServerBackoff.unreachable(err), false));
  }

  /**
   * Records a batch's outcomes in one {@code outbox.settle} request: sent mail is marked sent;
   * a failed one is due again after its own backoff ({@code backoff_base_ms · 2^(attempt-1)},
   * capped at {@code backoff_max_ms}, jittered) or given up after {@code max_attempts} (a mail
   * that cannot be rendered at once). When the server could not be reached, the server is backed
   * off as a whole and that is logged once, not once per mail.
   */
  private Future<Void> settle(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray sent = new JsonArray();
    JsonArray failed = new JsonArray();
    String unreachable = null;
    boolean reached = false;
    for (Outcome o : outcomes) {
      if (o.sent()) {
        sent.add(new JsonObject().put("id", o.id()).put("attempts", o.attempts()));
        reached = true;
        continue;
      }
      int attempts = o.attempts();
      JsonObject f = new JsonObject().put("id", o.id()).put("attempts", attempts).put("error", o.error());
      if (o.serverUnreachable()) {
        unreachable = o.error();
      } else {
        reached = true;
      }
      if (!o.permanent() && attempts < maxAttempts) {
        f.put("retry_in_s", ServerBackoff.delay(backoffBaseMs, backoffMaxMs, attempts) / 1000.0);
        if (!o.serverUnreachable()) {
          LOG.info("mail {} attempt {} failed ({}); next try in {} s", o.id(), attempts, o.error(), f.getDouble("retry_in_s"));
        }
      } else {
        LOG.warn("mail {} failed {} times, giving up: {}", o.id(), attempts, o.error());
      }
      failed.add(f);
    }
    if (unreachable != null) {
      long pause = server.failed();
      LOG.warn("SMTP server {} not reachable ({}); no mail is tried for {} ms, then one mail probes it",
          server.name(), unreachable, pause);
      again = false;
      resumeAfter(pause);
    } else if (reached) {
      server.reached();
    }
    return bus.request(OUTBOX_SETTLE, new JsonObject().put("sent", sent).put("failed", failed), "mail-outbox").mapEmpty();
  }
}
