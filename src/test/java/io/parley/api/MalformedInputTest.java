package io.parley.api;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.auth.AccessTokens;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.RawHttp;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each malformed input of issue 11 (item 5) gets its 4xx problem with a request id, never a 500:
 * bad percent-encoding, text PostgreSQL cannot store, over-long passwords, an empty e-mail,
 * tokens whose subject is no user, bodies that are not JSON, and requests the HTTP decoder
 * refuses. Every answer is checked against the contract by {@link Api#check}.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Malformed input at the HTTP edge")
class MalformedInputTest {
  private Vertx vertx;
  private TestCluster cluster;
  private Api api;
  private JsonObject user;

  @BeforeAll
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    api = new Api(vertx, cluster.a().apiPort());
    user = api.newUser("malformed");
  }

  /** A raw request to node A, checked against the contract as an answer to {@code operationId}. */
  private Api.Resp raw(String operationId, String method, String target, String token, String body) {
    Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    Api.Resp resp = RawHttp.exchange(api.port(), RawHttp.request(method, target, headers, "application/json", bytes));
    return operationId == null ? resp : api.check(operationId, resp);
  }

  /** Asserts a problem+json answer whose request id is both in the body and the header. */
  private static JsonObject problem(Api.Resp resp, int status, String code) {
    assertEquals(status, resp.status(), () -> "answer: " + resp.body());
    assertEquals("application/problem+json", resp.headers().get("Content-Type"));
    JsonObject json = resp.json();
    assertEquals(code, json.getString("code"));
    assertEquals(status, json.getInteger("status"));
    assertNotNull(resp.headers().get("X-Request-Id"), "X-Request-Id header");
    assertEquals(resp.headers().get("X-Request-Id"), json.getString("request_id"));
    return json;
  }

  private static String field(JsonObject problem) {
    return problem.getJsonObject("details").getString("field");
  }

  @Test
  @DisplayName("malformed percent-encoding (%zz) and bytes that are not UTF-8 in any path or query are 400 VALIDATION_FAILED")
  void percentEncoding() {
    String t = user.getString("access_token");
    assertEquals("path", field(problem(raw("getRoom", "GET", "/api/v1/rooms/%zz", t, null), 400, "VALIDATION_FAILED")));
    assertEquals("path", field(problem(raw("getRoom", "GET", "/api/v1/rooms/1%2", t, null), 400, "VALIDATION_FAILED")));
    assertEquals("q", field(problem(raw("searchUsers", "GET", "/api/v1/users?q=%zz", t, null), 400, "VALIDATION_FAILED")));
    assertEquals("x", field(problem(raw("getMe", "GET", "/api/v1/users/me?x=%zz", t, null), 400, "VALIDATION_FAILED")));
    assertEquals("query", field(problem(raw("getMe", "GET", "/api/v1/users/me?%zz=1", t, null), 400, "VALIDATION_FAILED")));
    // a lone 0xFF, an overlong "/" and an encoded surrogate (U+D800) are no UTF-8
    for (String bad : List.of("%FF", "%C0%AF", "%ED%A0%80")) {
      assertEquals("q", field(problem(raw("searchUsers", "GET", "/api/v1/users?q=a" + bad, t, null), 400, "VALIDATION_FAILED")));
    }
    assertEquals(200, raw("searchUsers", "GET", "/api/v1/users?q=%C3%A9", t, null).status(), "UTF-8 is fine");
    // outside the contract too: the web client's and Swagger UI's paths
    problem(raw(null, "GET", "/%zz", null, null), 400, "VALIDATION_FAILED");
    problem(raw(null, "GET", "/docs/%zz", null, null), 400, "VALIDATION_FAILED");
    problem(raw(null, "GET", "/api/v1/nothing%zz", null, null), 400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("U+0000 and unpaired surrogates in a query parameter or any JSON string, keys included, are 400 naming the field")
  void textThatCannotBeStored() {
    String t = user.getString("access_token");
    assertEquals("q", field(problem(raw("searchUsers", "GET", "/api/v1/users?q=a%00b", t, null), 400, "VALIDATION_FAILED")));
    assertEquals("name", field(problem(raw("createRoom", "POST", "/api/v1/rooms", t, "{\"name\":\"a\\u0000b\"}"),
        400, "VALIDATION_FAILED")));
    assertEquals("name", field(problem(raw("createRoom", "POST", "/api/v1/rooms", t, "{\"name\":\"a\\ud800\"}"),
        400, "VALIDATION_FAILED")));
    assertEquals("name", field(problem(raw("createRoom", "POST", "/api/v1/rooms", t, "{\"name\":\"\\udc00b\"}"),
        400, "VALIDATION_FAILED")));
    assertEquals("x\u0000", field(problem(raw("createRoom", "POST", "/api/v1/rooms", t, "{\"name\":\"ok\",\"x\\u0000\":1}"),
        400, "VALIDATION_FAILED")));
    assertEquals("meta.tags[1]", field(problem(raw("createRoom", "POST", "/api/v1/rooms", t,
        "{\"name\":\"ok\",\"meta\":{\"tags\":[\"fine\",\"\\ud800\"]}}"), 400, "VALIDATION_FAILED")));
    long room = api.newRoom(user, false).getLong("id");
    assertEquals("body", field(problem(raw("sendMessage", "POST", "/api/v1/rooms/" + room + "/messages", t,
        "{\"body\":\"hi\\u0000\"}"), 400, "VALIDATION_FAILED")));
    assertEquals("first_name", field(problem(raw("updateMe", "PATCH", "/api/v1/users/me", t,
        "{\"first_name\":\"\\ud83d\"}"), 400, "VALIDATION_FAILED")));
    // a whole surrogate pair is a real character and is stored
    assertEquals("ok \ud83d\ude00", raw("createRoom", "POST", "/api/v1/rooms", t, "{\"name\":\"ok \\ud83d\\ude00\"}")
        .expect(201).json().getString("name"));
  }

  @Test
  @DisplayName("passwords over 72 UTF-8 bytes: login answers 401 and change-password 403, like wrong ones; choosing one is 400")
  void longPasswords() {
    String long73 = "é".repeat(36) + "x"; // 37 characters, 73 bytes: within the contract's 200 characters
    problem(api.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", user.getString("email")).put("password", long73)), 401, "UNAUTHORIZED");
    problem(api.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", user.getString("email")).put("password", "x".repeat(200))), 401, "UNAUTHORIZED");
    JsonObject wrong = problem(api.call("changePassword", POST, "/auth/password/change", user.getString("access_token"),
        new JsonObject().put("current_password", "x".repeat(200)).put("new_password", "new password")), 403, "FORBIDDEN");
    assertEquals("current_password", field(wrong));
    assertEquals("new_password", field(problem(api.call("changePassword", POST, "/auth/password/change",
        user.getString("access_token"), new JsonObject().put("current_password", user.getString("password"))
            .put("new_password", long73)), 400, "VALIDATION_FAILED")));
    problem(api.call("register", POST, "/auth/register", null, new JsonObject().put("email", "long_" + System.nanoTime()
        + "@example.test").put("username", "long_" + System.nanoTime() % 1_000_000).put("password", long73)),
        400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("an empty e-mail address is 400 VALIDATION_FAILED for register and invite")
  void emptyEmail() {
    JsonObject reg = problem(api.call("register", POST, "/auth/register", null,
        new JsonObject().put("email", "").put("username", "empty_mail").put("password", "correct horse")), 400, "VALIDATION_FAILED");
    assertEquals("#/email", reg.getJsonObject("details").getString("pointer"));
    problem(api.call("inviteUser", POST, "/users/invite", user.getString("access_token"), new JsonObject().put("email", "")),
        400, "VALIDATION_FAILED");
    problem(api.call("inviteUser", POST, "/users/invite", user.getString("access_token"), new JsonObject().put("email", "@")),
        400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("a validly signed token whose sub is missing or no user id is refused: 401 over HTTP, UNAUTHORIZED and 4401 on the gateway")
  void tokenWithoutUser() throws Exception {
    List<JsonObject> claims = List.of(new JsonObject().put("username", "nobody"), new JsonObject().put("sub", "abc"),
        new JsonObject().put("sub", ""), new JsonObject().put("sub", "0"), new JsonObject().put("sub", "-5"),
        new JsonObject().put("sub", "99999999999999999999"), new JsonObject().put("sub", 12));
    AccessTokens tokens = new AccessTokens(vertx, new JsonObject().put("jwt_secret", cluster.jwtSecret()));
    for (JsonObject c : claims) {
      String token = cluster.signedToken(vertx, c);
      problem(api.call("getMe", GET, "/users/me", token, null), 401, "UNAUTHORIZED");
      Throwable refused = tokens.verify(token).toCompletionStage().toCompletableFuture()
          .handle((ok, err) -> err).get(10, TimeUnit.SECONDS);
      assertEquals(ErrorCode.UNAUTHORIZED, assertInstanceOf(ParleyException.class, refused, c.encode()).code());
      try (Ws ws = Ws.connect(vertx, cluster.b().gatewayPort(), token)) {
        assertEquals("UNAUTHORIZED", ws.next("error").getString("code"));
        assertEquals((short) 4401, ws.closed.get(10, TimeUnit.SECONDS));
      }
    }
    String good = cluster.signedToken(vertx, new JsonObject().put("sub", String.valueOf(user.getLong("id"))));
    assertEquals(user.getLong("id"), api.call("getMe", GET, "/users/me", good, null).expect(200).json().getLong("id"));
  }

  @Test
  @DisplayName("a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE; malformed or non-UTF-8 JSON is 400")
  void mediaTypes() {
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    problem(api.check("login", RawHttp.exchange(api.port(), RawHttp.request("POST", "/api/v1/auth/login", Map.of(),
        "text/plain", hello))), 415, "UNSUPPORTED_MEDIA_TYPE");
    problem(api.check("login", RawHttp.exchange(api.port(), RawHttp.request("POST", "/api/v1/auth/login", Map.of(),
        null, hello))), 415, "UNSUPPORTED_MEDIA_TYPE");
    problem(raw("login", "POST", "/api/v1/auth/login", null, "{\"email\":"), 400, "VALIDATION_FAILED");
    byte[] notUtf8 = {'{', '"', 'e', 'm', 'a', 'i', 'l', '"', ':', '"', (byte) 0xC3, '"', '}'};
    problem(api.check("login", RawHttp.exchange(api.port(), RawHttp.request("POST", "/api/v1/auth/login", Map.of(),
        "application/json", notUtf8))), 400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("requests the HTTP decoder refuses get problem+json with a request id: 431 headers, 414 request line, 400 garbage")
  void decoderRefusals() {
    String t = user.getString("access_token");
    Api.Resp headers = api.check("getMe", RawHttp.exchange(api.port(), RawHttp.request("GET", "/api/v1/users/me",
        Map.of("Authorization", "Bearer " + t, "X-Padding", "p".repeat(9000)), null, null)));
    problem(headers, 431, "HEADERS_TOO_LARGE");
    Api.Resp line = api.check("searchUsers", RawHttp.exchange(api.port(), RawHttp.request("GET",
        "/api/v1/users?q=" + "a".repeat(66_000), Map.of("Authorization", "Bearer " + t), null, null)));
    problem(line, 414, "URI_TOO_LONG");
    problem(RawHttp.exchange(api.port(), "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 400, "VALIDATION_FAILED");
    assertTrue(raw("getMe", "GET", "/api/v1/users/me", t, null).expect(200).headers().contains("X-Request-Id"));
  }
}
