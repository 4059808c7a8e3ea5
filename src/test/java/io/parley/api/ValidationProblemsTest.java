package io.parley.api;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request the contract refuses gets a 400 that names the field and what the contract allows
 * (issue 18): {@code details: {field, in, keyword, <bounds>}} and a detail a person can act on.
 * {@link ContractFuzzTest} checks the field for every operation; this test the exact words.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Validation problems name the field and its bounds")
class ValidationProblemsTest {
  private Api api;
  private String token;
  private long room;

  @BeforeAll
  void setUp(Vertx vertx, TestCluster cluster) {
    api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("bounds");
    token = user.getString("access_token");
    room = api.newRoom(user, false).getLong("id");
  }

  private JsonObject refused(String operationId, io.vertx.core.http.HttpMethod method, String path, Object body) {
    return api.call(operationId, method, path, token, body).problem(400, "VALIDATION_FAILED").json();
  }

  @Test
  @DisplayName("GET /rooms/{id}/messages?limit=200 says \"limit must be at most 100\", with the range 1 to 100 in details")
  void queryParameterOutOfRange() {
    JsonObject p = refused("listMessages", GET, "/rooms/" + room + "/messages?limit=200", null);
    assertEquals("limit must be at most 100 (allowed: 1 to 100)", p.getString("detail"));
    JsonObject d = p.getJsonObject("details");
    assertEquals("limit", d.getString("field"));
    assertEquals("query", d.getString("in"));
    assertEquals("maximum", d.getString("keyword"));
    assertEquals(1, d.getInteger("minimum"));
    assertEquals(100, d.getInteger("maximum"));

    assertEquals("limit must be at least 1 (allowed: 1 to 100)",
        refused("listMessages", GET, "/rooms/" + room + "/messages?limit=0", null).getString("detail"));
    assertEquals("limit must be an integer (allowed: 1 to 100)",
        refused("listMessages", GET, "/rooms/" + room + "/messages?limit=abc", null).getString("detail"));
    JsonObject before = refused("listMessages", GET, "/rooms/" + room + "/messages?before_seq=-1", null);
    assertEquals("before_seq must be at least 0", before.getString("detail"));
    assertEquals("before_seq", before.getJsonObject("details").getString("field"));
  }

  @Test
  @DisplayName("path parameters, missing and listed query parameters, and a header name themselves too")
  void pathQueryAndHeader() {
    JsonObject path = refused("getRoom", GET, "/rooms/0", null);
    assertEquals("room_id must be at least 1", path.getString("detail"));
    assertEquals(new JsonObject().put("field", "room_id").put("in", "path").put("keyword", "minimum").put("minimum", 1)
        .put("type", "integer").put("format", "int64").put("error", "0 is less than 1"), path.getJsonObject("details"));
    assertEquals("room_id must be an integer", refused("getRoom", GET, "/rooms/abc", null).getString("detail"));

    JsonObject missing = refused("searchUsers", GET, "/users", null);
    assertEquals("q is required", missing.getString("detail"));
    assertEquals(new JsonObject().put("field", "q").put("in", "query").put("keyword", "required"), missing.getJsonObject("details"));
    assertEquals("q must be at least 1 character long (allowed: 1 to 100 characters)",
        refused("searchUsers", GET, "/users?q=", null).getString("detail"));

    JsonObject empty = refused("getPresence", GET, "/presence?user_ids=", null); // vertx-openapi calls it a missing body
    assertEquals("user_ids must have at least 1 item (allowed: 1 to 100 items)", empty.getString("detail"));
    assertEquals("query", empty.getJsonObject("details").getString("in"));
    JsonObject item = refused("getPresence", GET, "/presence?user_ids=4,0", null);
    assertEquals("user_ids[1] must be at least 1", item.getString("detail"));
    assertEquals("user_ids[1]", item.getJsonObject("details").getString("field"));

    JsonObject header = api.call("stripeWebhook", POST, "/billing/webhook", null, new JsonObject().put("id", "evt_1"),
        Map.of("Stripe-Signature", "s".repeat(4097))).problem(400, "VALIDATION_FAILED").json();
    assertEquals("Stripe-Signature must be at most 4096 characters long", header.getString("detail"));
    assertEquals("header", header.getJsonObject("details").getString("in"));
  }

  @Test
  @DisplayName("body fields: too long, too short, missing, of the wrong type or form, each named with its bounds")
  void bodyFields() {
    JsonObject longName = refused("createRoom", POST, "/rooms", new JsonObject().put("name", "x".repeat(101)));
    assertEquals("name must be at most 100 characters long (allowed: 1 to 100 characters)", longName.getString("detail"));
    JsonObject d = longName.getJsonObject("details");
    assertEquals("name", d.getString("field"));
    assertEquals("body", d.getString("in"));
    assertEquals(1, d.getInteger("min_length"));
    assertEquals(100, d.getInteger("max_length"));

    JsonObject missing = refused("createRoom", POST, "/rooms", new JsonObject());
    assertEquals("name is required", missing.getString("detail"));
    assertEquals("name", missing.getJsonObject("details").getString("field"));
    assertEquals("is_private must be a boolean",
        refused("createRoom", POST, "/rooms", new JsonObject().put("name", "ok").put("is_private", "yes")).getString("detail"));

    // a schema by $ref (RegisterRequest) is read the same way
    JsonObject shortPassword = api.call("register", POST, "/auth/register", null, new JsonObject().put("email", "b@example.test")
        .put("username", "bounds_x").put("password", "short")).problem(400, "VALIDATION_FAILED").json();
    assertEquals("password must be at least 8 characters long (allowed: 8 to 72 characters)", shortPassword.getString("detail"));
    JsonObject badName = api.call("register", POST, "/auth/register", null, new JsonObject().put("email", "b@example.test")
        .put("username", "no way").put("password", "correct horse")).problem(400, "VALIDATION_FAILED").json();
    assertEquals("username must match ^[A-Za-z0-9_.-]{3,32}$", badName.getString("detail"));
    assertEquals("^[A-Za-z0-9_.-]{3,32}$", badName.getJsonObject("details").getString("pattern"));
  }
}
