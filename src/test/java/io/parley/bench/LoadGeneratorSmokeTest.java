package io.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The load generator keeps working: a short, small fan-out run loses and duplicates nothing. */
@ExtendWith(ClusterExtension.class)
@DisplayName("Load generator smoke run")
class LoadGeneratorSmokeTest {

  @Test
  @DisplayName("a few seconds of fan-out across both nodes: every message delivered once to every member")
  void fanoutSmoke(TestCluster cluster) throws Exception {
    List<JsonObject> results = LoadGenerator.run(Map.of(
        "workload", "fanout",
        "api", "http://127.0.0.1:" + cluster.a().apiPort(),
        "ws", "ws://127.0.0.1:" + cluster.a().gatewayPort() + "/ws,ws://127.0.0.1:" + cluster.b().gatewayPort() + "/ws",
        "rooms", "3", "members", "6", "rates", "60", "duration", "3", "loops", "1"));
    JsonObject r = results.get(0);
    assertTrue(r.getLong("sent") > 100, "it sent: " + r.encode());
    assertEquals(r.getLong("sent"), r.getLong("acks"), "every send acknowledged");
    assertEquals(0, r.getLong("send_errors"));
    assertEquals(0, r.getLong("lost"), "no loss: " + r.encode());
    assertEquals(0, r.getLong("duplicates"), "no duplicates");
    assertEquals(r.getLong("expected_deliveries"), r.getLong("delivered"));
  }
}
