package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Await;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A gateway node in a process of its own with a low file-descriptor limit ({@code ulimit -n}),
 * flooded with connections until accepting fails with "Too many open files": it backs off,
 * logs once (no stack trace), reports it in health, and accepts again once descriptors free up.
 */
@DisplayName("A gateway out of file descriptors")
class DescriptorExhaustionTest {
  /**
   * The child's descriptor limit. It must leave room for what the child holds anyway (the jars
   * of the test class path it has opened: a few hundred with S3Proxy's) plus the 100 connections
   * still queued when the test frees {@code LIMIT} of them.
   */
  private static final int LIMIT = 1024;

  @Test
  @DisplayName("backs off, logs once, counts it in health and recovers when descriptors free up")
  void recoversFromExhaustedDescriptors() throws Exception {
    int apiPort = TestCluster.freePort();
    int gatewayPort = TestCluster.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder("bash", "-c",
        "ulimit -n " + LIMIT + " && exec \"$0\" -cp \"$1\" io.parley.Main", java, System.getProperty("java.class.path"));
    pb.environment().put("PARLEY_NODE_ROLES", "api,gateway");
    pb.environment().put("PARLEY_CLUSTER_ENABLED", "false");
    pb.environment().put("PARLEY_API_HOST", "127.0.0.1");
    pb.environment().put("PARLEY_API_PORT", String.valueOf(apiPort));
    pb.environment().put("PARLEY_API_INSTANCES", "1");
    pb.environment().put("PARLEY_GATEWAY_HOST", "127.0.0.1");
    pb.environment().put("PARLEY_GATEWAY_PORT", String.valueOf(gatewayPort));
    pb.redirectErrorStream(true);
    Process child = pb.start();
    List<String> log = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          log.add(line);
          System.out.println("[child] " + line);
        }
      } catch (java.io.IOException ignored) {
        // the child ended
      }
    }, "child-log");
    reader.setDaemon(true);
    reader.start();
    List<Socket> sockets = new ArrayList<>();
    try {
      Await.until(() -> log.stream().anyMatch(l -> l.contains("Parley node") && l.contains(" up ")), "the child node to start");
      warmUp(gatewayPort); // loads the classes of a connection while descriptors are plenty
      // and those of the API's request path (a class file read then would need a descriptor too)
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());

      for (int i = 0; i < LIMIT + 100; i++) { // each one the child accepts holds a descriptor
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", gatewayPort), 5000); // completes in the kernel's backlog
        sockets.add(s);
      }
      Await.until(() -> count(log, "gateway cannot accept connections") > 0, "accepting to fail");
      for (int i = 0; i < LIMIT; i++) {
        sockets.get(i).close(); // the child sees them end and frees their descriptors
      }
      Await.until(() -> count(log, "gateway accepts connections again") > 0, "accepting to resume");

      // the sockets still in the backlog and the database pool's reconnects take descriptors
      // too, so accepting may fail again for a moment (the same episode): wait for it to settle
      HttpClient http = HttpClient.newHttpClient(); // one kept-alive connection for the polls
      java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> last = new java.util.concurrent.atomic.AtomicReference<>();
      Await.until(() -> {
        try {
          last.set(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString()));
        } catch (java.io.IOException e) {
          return false; // a descriptor short again for a moment: ask again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        return "UP".equals(new JsonObject(last.get().body()).getJsonObject("checks").getString("gateway"));
      }, "the gateway's health to be UP again");
      HttpResponse<String> ready = last.get();
      JsonObject health = new JsonObject(ready.body());
      assertTrue(health.getJsonObject("gateway").getLong("accept_failures") >= 1, "failed accepts are counted: " + ready.body());
      assertEquals(false, health.getJsonObject("gateway").getBoolean("accept_failing"));
      assertEquals(1, count(log, "gateway cannot accept connections"), "one warning for the whole episode");
      assertEquals(List.of(), log.stream().filter(l -> l.startsWith("\tat ")).toList(), "no stack trace");
      warmUp(gatewayPort); // and it serves new connections
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
      child.destroy();
      child.waitFor();
    }
  }

  /** One request that the gateway answers (404 problem) and closes: the whole path of a socket runs once. */
  private static void warmUp(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      assertEquals("HTTP/1.1 404 Not Found", status);
    }
  }

  private static long count(List<String> log, String fragment) {
    return log.stream().filter(l -> l.contains(fragment)).count();
  }
}
