package io.parley.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * The load generator's results: each is one JSON object, printed as a {@code RESULT } line
 * (read by {@code bench/summarize.py} and {@code bench/compare_summary.py}) and as a summary
 * line for people. Latencies are in milliseconds under {@code latency_ms}.
 */
final class Results {
  private Results() {
  }

  /** p50, p90, p99, p99.9 and max of {@code h} (nanoseconds) in milliseconds. */
  static JsonObject latency(Histogram h) {
    return new JsonObject()
        .put("p50", h.getValueAtPercentile(50) / 1e6)
        .put("p90", h.getValueAtPercentile(90) / 1e6)
        .put("p99", h.getValueAtPercentile(99) / 1e6)
        .put("p999", h.getValueAtPercentile(99.9) / 1e6)
        .put("max", h.getMaxValue() / 1e6);
  }

  private static String costSummary(JsonObject c) {
    if (c == null || c.isEmpty()) {
      return "";
    }
    return String.format(", server CPU %.0f %% of a core, %s µs/message, %s µs/delivery, %s B allocated/message",
        c.getDouble("server_cpu_share") * 100, round(c.getValue("cpu_us_per_message")), round(c.getValue("cpu_us_per_delivery")),
        round(c.getValue("alloc_bytes_per_message")));
  }

  private static String round(Object v) {
    return v instanceof Number n ? String.format("%.1f", n.doubleValue()) : "-";
  }

  /** One line for people: the result's workload, rate, latency and losses (and its cost, when measured). */
  static String summary(JsonObject r) {
    JsonObject l = r.getJsonObject("latency_ms");
    return switch (r.getString("workload")) {
      case "history-seed" -> "history: seeded room " + r.getLong("room_id") + ", GET " + r.getString("path");
      case "history" -> String.format("history: %d clients, %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d",
          r.getInteger("clients"), r.getDouble("requests_per_s"), l.getDouble("p50"), l.getDouble("p99"), r.getLong("errors"));
      case "idle" -> String.format("idle: %d sockets in %.1f s, RSS %d → %d kB (%.2f kB per socket), idle server CPU %s",
          r.getInteger("sockets"), r.getDouble("connect_all_s"), r.getLong("server_rss_kb_before"),
          r.getLong("server_rss_kb_after"), r.getDouble("rss_kb_per_socket"),
          r.getJsonObject("idle_cost").getValue("server_cpu_share"));
      default -> String.format("%s %dx%d @ %.0f msg/s: %.0f deliveries/s, p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms, "
              + "lost %d, dup %d, acks %d, errors %d",
          r.getString("workload"), r.getInteger("rooms"), r.getInteger("members"), r.getDouble("rate"),
          r.getDouble("deliveries_per_s"), l.getDouble("p50"), l.getDouble("p90"), l.getDouble("p99"), l.getDouble("p999"),
          l.getDouble("max"), r.getLong("lost"), r.getLong("duplicates"), r.getLong("acks"), r.getLong("send_errors"))
          + costSummary(r.getJsonObject("cost"));
    };
  }
}
