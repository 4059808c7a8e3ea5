package io.parley;

import io.parley.config.ParleyConfig;
import io.parley.logging.LogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: reads the configuration once, sets the log format ({@code logging.format}), starts
 * a node, stops it gracefully on SIGTERM.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    ParleyConfig config = ParleyConfig.load();
    ParleyNode node;
    try {
      LogFormat.use(config.section("logging").getString("format", "text"));
      node = ParleyNode.start(config).await();
    } catch (Exception e) {
      LOG.error("Parley failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down node {}", node.name());
      try {
        node.close().await();
      } catch (Exception e) {
        LOG.warn("shutdown: {}", e.getMessage());
      }
    }, "parley-shutdown"));
  }
}
