package io.parley.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code api.cors_origins}: CORS headers for listed origins, and the WebSocket {@code Origin} check. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Allowed origins (CORS and WebSocket upgrades)")
class CorsTest {
  private static final String ALLOWED = "http://app.example.test:3000";
  private static final String FOREIGN = "https://evil.example.test";

  private TestCluster cluster;
  private Vertx vertx;
  private WebClient http;
  private Api api;

  @BeforeAll
  void start() {
    cluster = TestCluster.start(1, root -> root.getJsonObject("api").put("cors_origins", new JsonArray().add(ALLOWED)));
    vertx = Vertx.vertx();
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(cluster.a().apiPort()).setFollowRedirects(false));
    api = new Api(vertx, cluster.a().apiPort());
  }

  @AfterAll
  void stop() {
    cluster.close();
    Api.await(vertx.close());
  }

  private HttpResponse<Buffer> get(String path, String origin) {
    return Api.await(http.get(path).putHeader("Origin", origin).send());
  }

  @Test
  @DisplayName("a listed origin gets Access-Control-Allow-Origin and the exposed headers; another gets none")
  void corsHeaders() {
    HttpResponse<Buffer> allowed = get("/api/v1/plans", ALLOWED);
    assertEquals(200, allowed.statusCode());
    assertEquals(ALLOWED, allowed.getHeader("Access-Control-Allow-Origin"));
    String exposed = allowed.getHeader("Access-Control-Expose-Headers");
    for (String h : new String[] {"X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy"}) {
      assertTrue(exposed.contains(h), exposed);
    }
    HttpResponse<Buffer> foreign = get("/api/v1/plans", FOREIGN);
    assertEquals(200, foreign.statusCode(), "not refused: the browser keeps the answer from the page");
    assertNull(foreign.getHeader("Access-Control-Allow-Origin"));

    HttpResponse<Buffer> preflight = Api.await(http.request(io.vertx.core.http.HttpMethod.OPTIONS, "/api/v1/rooms")
        .putHeader("Origin", ALLOWED).putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "authorization,content-type,x-request-id").send());
    assertEquals(204, preflight.statusCode());
    assertEquals(ALLOWED, preflight.getHeader("Access-Control-Allow-Origin"));
    String allowedHeaders = preflight.getHeader("Access-Control-Allow-Headers");
    assertTrue(allowedHeaders.contains("Authorization") && allowedHeaders.contains("X-Request-Id"), allowedHeaders);
    assertTrue(preflight.getHeader("Access-Control-Allow-Methods").contains("POST"));
    assertTrue(preflight.getHeader("X-Request-Id") != null, "preflights get a request id too");

    String self = "http://127.0.0.1:" + cluster.a().apiPort();
    HttpResponse<Buffer> own = Api.await(http.post("/api/v1/auth/login").putHeader("Origin", self)
        .sendJsonObject(new JsonObject().put("email", "nobody@example.test").put("password", "wrong password")));
    assertEquals(401, own.statusCode(), "the page's own POSTs pass (browsers send Origin on them)");
  }

  @Test
  @DisplayName("a WebSocket upgrade from a foreign page gets 403; the page's own host, a listed origin or no Origin get in")
  void socketOrigins() throws Exception {
    String token = api.newUser("cors").getString("access_token");
    int port = cluster.a().gatewayPort();
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> vertx.createWebSocketClient().connect(options(port, token).addHeader("Origin", FOREIGN))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(refused.getCause() instanceof UpgradeRejectedException, String.valueOf(refused.getCause()));
    assertEquals(403, ((UpgradeRejectedException) refused.getCause()).getStatus());

    String ownPage = "http://127.0.0.1:" + cluster.a().apiPort(); // the web client, served by the API port
    for (WebSocketConnectOptions o : new WebSocketConnectOptions[] {
        options(port, token).addHeader("Origin", ownPage),
        options(port, token).addHeader("Origin", ALLOWED),
        options(port, token).setAllowOriginHeader(false)}) {
      try (Ws ws = Ws.connect(vertx, o)) {
        assertEquals("welcome", ws.next("welcome").getString("type"));
      }
    }
  }

  private static WebSocketConnectOptions options(int port, String token) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws?token=" + token);
  }
}
