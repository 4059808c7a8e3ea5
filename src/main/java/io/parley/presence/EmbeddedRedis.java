package io.parley.presence;

import java.io.IOException;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The development default: a real Redis (embedded-redis ships a redis-server binary) started
 * when no Redis URL is configured. Blocking: call from main or a worker thread.
 */
public final class EmbeddedRedis {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);
  private static RedisServer server;
  private static int port;

  private EmbeddedRedis() {}

  /** {@code configured} when set, otherwise the URL of an embedded Redis (one per JVM). */
  public static synchronized String resolveUrl(String configured) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (server == null) {
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      try {
        server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
            .setting("save \"\"").setting("appendonly no").build();
        server.start();
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("The embedded Redis could not start (" + e.getMessage() + "); "
            + "start a Redis yourself and set PARLEY_PRESENCE_REDIS_URL=redis://host:6379", e);
      }
      LOG.warn("No Redis configured (PARLEY_PRESENCE_REDIS_URL is empty): started an EMBEDDED Redis for development "
          + "on 127.0.0.1:{}. Do not use it in production.", port);
    }
    return "redis://127.0.0.1:" + port;
  }
}
