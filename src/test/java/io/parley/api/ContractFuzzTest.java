package io.parley.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.RawHttp;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Malformed requests generated from {@code openapi.yaml} ({@link FuzzCases}) against every
 * operation: none may get a 5xx; each gets the status its case calls for; every answer carries
 * {@code X-Request-Id}; every error is problem+json whose {@code request_id} is that id; and the
 * status and body are the contract's ({@link Api#check}).
 *
 * <p>The requests go to an API-only node that joins the test cluster (persistence and presence
 * answer from nodes A and B over the event bus), with login throttling off (its failed logins
 * count in the cluster's Redis, but only against the accounts it makes up).
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Contract fuzz: malformed requests to every operation never get a 5xx or an answer off the contract")
class ContractFuzzTest {
  private ParleyNode node;
  private Api api;
  private JsonObject contract;
  private FuzzCases fuzz;
  /** Statuses seen per operationId. */
  private final Map<String, Set<Integer>> seen = new TreeMap<>();
  private int requests;
  private String adminToken;

  @BeforeAll
  void setUp(Vertx vertx, TestCluster cluster) {
    int apiPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "node-fuzz", apiPort, TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api"));
    cfg.getJsonObject("limits").put("login_failures_per_account", 1_000_000).put("login_failures_per_ip", 0);
    node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    api = new Api(vertx, apiPort);
    JsonObject user = api.newUser("fuzz");
    JsonObject peer = api.newUser("fuzzpeer");
    long room = api.sharedRoom(user, peer);
    long message = api.send(user, room, "hello").getLong("id");
    contract = Api.await(Contract.raw(vertx));
    adminToken = io.parley.support.Admins.admin(vertx, api, cluster, TestCluster.CONTRACT_ADMIN_EMAIL).getString("access_token");
    fuzz = new FuzzCases(contract, Map.of("room_id", room, "user_id", peer.getLong("id"), "message_id", message),
        user.getString("access_token"),
        adminToken,
        cluster.signedToken(vertx, new JsonObject().put("username", "nobody")));
  }

  @AfterAll
  void tearDown() {
    if (api != null) { // adminCreatePlan's valid case made a plan: not to be sold to other tests' users
      api.call("adminUpdatePlan", io.vertx.core.http.HttpMethod.PATCH, "/admin/plans/fuzz_user", adminToken,
          new JsonObject().put("active", false));
    }
    if (node != null) {
      Api.await(node.close());
    }
  }

  @Order(1)
  @TestFactory
  @DisplayName("each operation, case by case")
  Stream<DynamicTest> everyOperation() {
    return fuzz.operations().stream()
        .map(op -> DynamicTest.dynamicTest(op.id() + ": " + op.method() + " " + op.path(), () -> fuzz(op)));
  }

  private void fuzz(FuzzCases.Operation op) {
    List<String> off = new ArrayList<>();
    List<FuzzCases.Case> cases = fuzz.cases(op);
    for (FuzzCases.Case c : cases) {
      Api.Resp resp = RawHttp.exchange(api.port(), RawHttp.request(c.method(), c.target(), c.headers(), c.contentType(), c.body()));
      requests++;
      seen.computeIfAbsent(op.id(), k -> new TreeSet<>()).add(resp.status());
      String why = offence(op, c, resp);
      if (why != null) {
        off.add(c.label() + ": " + why);
      }
    }
    assertTrue(off.isEmpty(), op.id() + ": " + off.size() + " of " + cases.size() + " cases answered wrongly:\n  "
        + String.join("\n  ", off));
  }

  /** Why an answer breaks the rules, or null when it keeps them. */
  private String offence(FuzzCases.Operation op, FuzzCases.Case c, Api.Resp resp) {
    String body = resp.body() == null ? "" : resp.body().toString();
    if (resp.status() >= 500) {
      return "answered " + resp.status() + " " + body;
    }
    if (c.expect() != FuzzCases.ANY && resp.status() != c.expect()) {
      return "expected " + c.expect() + " but got " + resp.status() + " " + body;
    }
    String id = resp.headers().get("X-Request-Id");
    if (id == null) {
      return "no X-Request-Id header (status " + resp.status() + ")";
    }
    if (resp.status() >= 400) {
      try {
        if (!id.equals(resp.json().getString("request_id"))) {
          return "request_id of the body is not the X-Request-Id header: " + body;
        }
      } catch (RuntimeException notJson) {
        return "an error body that is no JSON object: " + body;
      }
    }
    if (resp.status() == 400 && c.expect() == 400 && c.field() != null) { // a refusal names the field (or an item of it)
      JsonObject details = resp.json().getJsonObject("details");
      String field = details == null ? null : details.getString("field");
      if (field == null || !(field.equals(c.field()) || field.startsWith(c.field() + "[") || field.startsWith(c.field() + "."))) {
        return "details.field is not " + c.field() + ": " + body;
      }
      if (!resp.json().getString("detail", "").contains(c.field())) {
        return "the detail does not name " + c.field() + ": " + body;
      }
    }
    try {
      api.check(op.id(), resp); // declared status, problem+json, body matching its schema
    } catch (AssertionError e) {
      return e.getMessage();
    }
    return null;
  }

  @Order(2)
  @Test
  @DisplayName("every shared edge response an operation declares was provoked for that operation")
  void everyEdgeResponseProvoked() {
    TreeSet<String> missing = new TreeSet<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (Map.Entry<String, Object> method : paths.getJsonObject(path)) {
        if (!(method.getValue() instanceof JsonObject op) || !op.containsKey("responses")) {
          continue;
        }
        JsonObject responses = op.getJsonObject("responses");
        for (String status : responses.fieldNames()) {
          String ref = responses.getJsonObject(status).getString("$ref", "");
          if (Api.EDGE_RESPONSES.contains(ref.substring(ref.lastIndexOf('/') + 1))
              && !seen.getOrDefault(op.getString("operationId"), Set.of()).contains(Integer.parseInt(status))) {
            missing.add(op.getString("operationId") + " " + status);
          }
        }
      }
    }
    assertTrue(requests > 1000, "only " + requests + " requests were sent");
    assertTrue(missing.isEmpty(), "declared but never provoked: " + missing);
  }
}
