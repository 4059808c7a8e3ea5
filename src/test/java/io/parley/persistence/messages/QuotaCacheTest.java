package io.parley.persistence.messages;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The persistence nodes' memory of unlimited senders against the real PostgreSQL: learnt from
 * {@code message_quota}, forgotten at commit of any subscription or plan change (NOTIFY).
 */
@DisplayName("Who may skip the quota check")
@ExtendWith(ClusterExtension.class)
class QuotaCacheTest {
  private Vertx vertx;
  private Pool pool;
  private Context context;
  private QuotaCache cache;
  private io.vertx.pgclient.pubsub.PgSubscriber subscriber;

  @BeforeEach
  void setUp(TestCluster cluster) {
    vertx = Vertx.vertx();
    PgConnectOptions options = PgConnectOptions.fromUri(cluster.databaseUrl);
    pool = PgBuilder.pool().connectingTo(options).using(vertx).build();
    context = vertx.getOrCreateContext();
    subscriber = io.vertx.pgclient.pubsub.PgSubscriber.subscriber(vertx, options);
    cache = onContext(() -> QuotaCache.listen(pool, subscriber)).join();
    Api.await(onContext(subscriber::connect).join()); // on the cache's event loop, as the message store does
  }

  @AfterEach
  void tearDown() {
    Api.await(subscriber.close());
    Api.await(pool.close());
    Api.await(vertx.close());
  }

  /** Runs {@code work} on the cache's event loop and answers its result. */
  private <T> CompletableFuture<T> onContext(Supplier<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> done.complete(work.get()));
    return done;
  }

  private boolean mustCheck(long user) {
    return onContext(() -> cache.mustCheck(user)).join();
  }

  private void learn(long user) {
    onContext(() -> {
      cache.learn(List.of(user));
      return null;
    }).join();
  }

  /** A user who sent once through quota_take (so message_quota knows their limit), on {@code plan} when not free. */
  private long sender(Api api, String plan) {
    long id = api.newUser("cache").getLong("id");
    if (plan != null) {
      Api.await(pool.preparedQuery("INSERT INTO subscriptions (stripe_subscription_id, user_id, plan_id, status, current_period_end) "
          + "SELECT $1, $2, id, 'active', now() + interval '30 days' FROM plans WHERE code = $3").execute(Tuple.of("sub_cache_" + id, id, plan)));
    }
    Api.await(pool.preparedQuery("SELECT quota_take($1, 1)").execute(Tuple.of(id)));
    return id;
  }

  @Test
  @DisplayName("a pro sender is learnt as unlimited; a free one is not; a subscription's change and a plan's change are seen at commit")
  void learnAndForget(TestCluster cluster) {
    Api api = new Api(cluster.a().node().vertx(), cluster.a().apiPort());
    long pro = sender(api, "pro");
    long free = sender(api, null);
    assertTrue(mustCheck(pro), "unknown until learnt");
    learn(pro);
    learn(free);
    Await.until(() -> !mustCheck(pro), "the pro sender learnt as unlimited");
    assertTrue(mustCheck(free), "a free sender is always checked");

    // the subscription stops granting before its period end: the NOTIFY makes the node forget at once
    Api.await(pool.preparedQuery("UPDATE subscriptions SET status = 'unpaid' WHERE user_id = $1").execute(Tuple.of(pro)));
    Await.until(() -> mustCheck(pro), "the pro sender forgotten after the subscription's change");

    // looked up again after quota_take refreshed the row: an unpaid subscription grants nothing
    Api.await(pool.preparedQuery("SELECT quota_take($1, 1)").execute(Tuple.of(pro)));
    learn(pro);
    long pro2 = sender(api, "pro");
    learn(pro2);
    Await.until(() -> !mustCheck(pro2), "another pro sender learnt");
    assertTrue(mustCheck(pro), "an unpaid subscription grants nothing");

    // any plan change forgets everyone
    Api.await(pool.query("UPDATE plans SET name = name WHERE code = 'pro'").execute());
    Await.until(() -> mustCheck(pro2), "everyone forgotten after a plan's change");
  }
}
