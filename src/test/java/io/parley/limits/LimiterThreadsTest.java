package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.TestCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.embedded.RedisServer;

/**
 * One limiter used from several event loops at once, as the gateway's is (its sockets are spread
 * over every event loop): the first checks, made together, must share one Redis connection and
 * each be decided by Redis, none left unchecked by a connection that never comes.
 */
@DisplayName("One rate limiter used from several event loops")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimiterThreadsTest {
  private RedisServer redisServer;
  private int redisPort;

  @BeforeAll
  void setUp() throws Exception {
    redisPort = TestCluster.freePort();
    redisServer = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort).setting("save \"\"")
        .setting("appendonly no").build();
    redisServer.start();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (redisServer != null) {
      redisServer.stop();
    }
  }

  @Test
  void firstChecksFromManyEventLoops() {
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(8));
    try {
      // eight verticle instances: eight contexts, one per event loop
      List<Context> contexts = java.util.Collections.synchronizedList(new ArrayList<>());
      vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }, new io.vertx.core.DeploymentOptions().setInstances(8)).await();
      for (int round = 0; round < 20; round++) {
        String prefix = "parley:limits:threads-" + UUID.randomUUID() + ":";
        Limits limits = Limits.from(new JsonObject().put("sends_per_minute", 600).put("sends_burst", 1000)
            .put("redis_url", "redis://127.0.0.1:" + redisPort).put("key_prefix", prefix).put("redis_timeout_ms", 2000));
        RateLimiter limiter = RateLimiter.create(vertx, limits);
        List<Future<Verdict>> verdicts = new ArrayList<>();
        Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 8; i++) {
          Context context = contexts.get(i);
          Promise<Verdict> verdict = Promise.promise();
          verdicts.add(verdict.future());
          int user = i;
          context.runOnContext(v -> {
            threads.add(Thread.currentThread());
            limiter.check(List.of(new RateLimiter.Bucket(limits.send(), "u" + user))).onComplete(verdict);
          });
        }
        Future.all(verdicts).await();
        for (Future<Verdict> v : verdicts) {
          assertTrue(v.result().allowed());
          assertEquals(1, v.result().states().size(), "round " + round + ": a check was not decided by Redis (failed open)");
        }
        assertTrue(threads.size() > 1, "the checks ran on one thread only");
        limiter.close();
      }
    } finally {
      vertx.close().await();
    }
  }
}
