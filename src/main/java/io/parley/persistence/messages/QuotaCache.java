package io.parley.persistence.messages;

import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which senders are on an unlimited plan, and until when, so that their sends skip the daily
 * quota ({@code quota_take} in V4__billing.sql) in the send statement: for them the check costs
 * a map lookup instead of a function call per author in every batch.
 *
 * <p>What it knows comes from PostgreSQL: after a batch, the authors it does not know yet are
 * looked up in {@code message_quota} (filled by {@code quota_take}); an author is known
 * unlimited until {@code limit_until} (at most the next UTC midnight or the end of the granting
 * subscription's period, so a cancellation or downgrade at the period end is seen in time). Any
 * earlier change (a subscription's status, a plan's limit) reaches every node at commit through
 * {@code NOTIFY parley_quota} (V5__quota_notify.sql: a user id, or {@code *}) and is forgotten
 * here. Until the subscription is confirmed, and while the notification connection is down,
 * nothing is trusted: every send is checked; after a reconnect everything is looked up afresh.
 *
 * <p>Not thread-safe: used on its verticle's event loop (the subscriber's handlers run there too).
 */
final class QuotaCache {
  private static final Logger LOG = LoggerFactory.getLogger(QuotaCache.class);
  /** How long an author found limited (or unknown) is not looked up again, in ms. */
  private static final long RECHECK_MS = 30_000;
  private static final String UNLIMITED =
      "SELECT user_id, (extract(epoch FROM limit_until) * 1000)::bigint AS until FROM message_quota "
          + "WHERE user_id = ANY($1) AND daily_limit IS NULL AND limit_until > now()";

  private final Pool pool;
  private final PgSubscriber subscriber;
  /** user id → until (epoch ms) when unlimited (> 0), or −(time of the last look-up) when not. */
  private final Map<Long, Long> known = new HashMap<>();
  /** Bumped by every notification, so a look-up that raced one is dropped. */
  private long generation;
  private boolean listening;

  private QuotaCache(Pool pool, PgSubscriber subscriber) {
    this.pool = pool;
    this.subscriber = subscriber;
  }

  /**
   * Listens on {@code parley_quota} through {@code subscriber} (the store's notification
   * connection, connected by the caller); until it is subscribed every send is checked.
   */
  static QuotaCache listen(Pool pool, PgSubscriber subscriber) {
    QuotaCache cache = new QuotaCache(pool, subscriber);
    subscriber.channel("parley_quota")
        .subscribeHandler(v -> cache.trustFromNow())
        .handler(cache::forget);
    subscriber.closeHandler(v -> cache.distrust());
    return cache;
  }

  /** Whether a send by {@code userId} must take from the quota (not known unlimited now). */
  boolean mustCheck(long userId) {
    if (!listening || subscriber.actualConnection() == null) {
      return true;
    }
    Long until = known.get(userId);
    return until == null || until <= System.currentTimeMillis();
  }

  /** Looks up, in the background, those of a batch's authors not known or not looked up lately. */
  void learn(Collection<Long> authors) {
    if (!listening) {
      return;
    }
    long now = System.currentTimeMillis();
    List<Long> ask = new ArrayList<>();
    for (Long a : authors) {
      Long k = known.get(a);
      if (k == null || (k > 0 && k <= now) || (k < 0 && now + k > RECHECK_MS)) {
        known.put(a, -now);
        ask.add(a);
      }
    }
    if (ask.isEmpty()) {
      return;
    }
    long asked = generation;
    pool.preparedQuery(UNLIMITED).execute(Tuple.of(ask.toArray(new Long[0]))).onSuccess(rs -> {
      if (asked == generation && listening) {
        rs.forEach(r -> known.put(r.getLong("user_id"), r.getLong("until")));
      }
    });
  }

  private void forget(String payload) {
    generation++;
    if ("*".equals(payload)) {
      known.clear();
      return;
    }
    try {
      known.remove(Long.parseLong(payload.trim()));
    } catch (NumberFormatException e) {
      known.clear();
    }
  }

  private void trustFromNow() {
    generation++;
    known.clear(); // notifications may have been missed while not subscribed
    listening = true;
  }

  private void distrust() {
    generation++;
    known.clear();
    listening = false;
    LOG.warn("the quota notification connection closed: every send takes from the quota until it is back");
  }

}
