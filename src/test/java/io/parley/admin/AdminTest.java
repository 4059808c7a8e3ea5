package io.parley.admin;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Admins;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Admin roles, disabling accounts and the audit log")
class AdminTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api a;
  private Api b;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort());
  }

  private static String token(JsonObject u) {
    return u.getString("access_token");
  }

  private JsonObject admin() {
    return Admins.admin(vertx, a, cluster, TestCluster.ADMIN_EMAIL);
  }

  private JsonArray audit(JsonObject admin, String query) {
    return a.call("adminAudit", GET, "/admin/audit" + query, token(admin), null).expect(200).json().getJsonArray("items");
  }

  @Test
  @DisplayName("a verified address of auth.admin_emails becomes admin at login, audited; an unverified one does not")
  void bootstrap() {
    JsonObject admin = admin();
    assertEquals("admin", admin.getJsonObject("user").getString("role"));
    assertEquals("admin", a.call("getMe", GET, "/users/me", token(admin), null).expect(200).json().getString("role"));
    JsonObject promoted = audit(admin, "?action=user.role&target_id=" + admin.getJsonObject("user").getLong("id")).getJsonObject(0);
    assertNull(promoted.getValue("actor_id"), "the system made it");
    assertEquals("admin", promoted.getJsonObject("after").getString("role"));
    JsonObject someone = a.newUser("someone");
    assertEquals("user", a.call("getMe", GET, "/users/me", token(someone), null).expect(200).json().getString("role"));
  }

  @Test
  @DisplayName("a moderator deletes another user's message on node A: members on node B see it removed with deleted_by, also in a replay and in history; audited")
  void moderatorDeletes() {
    JsonObject admin = admin();
    JsonObject mod = a.newUser("mod");
    a.call("adminUpdateUser", PATCH, "/admin/users/" + mod.getLong("id"), token(admin), new JsonObject().put("role", "moderator"))
        .expect(200);
    JsonObject ann = a.newUser("ann");
    JsonObject ben = a.newUser("ben");
    long room = a.sharedRoom(ann, ben);
    JsonObject rude = a.send(ann, room, "something rude");
    try (Ws benB = Ws.open(vertx, cluster.b().gatewayPort(), token(ben))) {
      assertEquals("subscribed", benB.request(new JsonObject().put("type", "subscribe").put("room_id", room)).getString("type"));
      a.call("deleteMessage", HttpMethod.DELETE, "/messages/" + rude.getLong("id"), token(ben), null).problem(403, "FORBIDDEN");
      a.call("deleteMessage", HttpMethod.DELETE, "/messages/" + rude.getLong("id"), token(mod), null).expect(204);
      JsonObject deleted = benB.next("message.deleted");
      assertEquals(new JsonObject().put("user_id", mod.getLong("id")).put("role", "moderator"), deleted.getJsonObject("deleted_by"));
      assertNull(deleted.getJsonObject("message").getValue("body"));
    }
    try (Ws again = Ws.open(vertx, cluster.a().gatewayPort(), token(ben))) {
      again.send(new JsonObject().put("type", "subscribe").put("room_id", room).put("since_seq", rude.getLong("seq")));
      JsonObject replayed = again.next(f -> "message.deleted".equals(f.getString("type")), "the delete in the replay");
      assertEquals("moderator", replayed.getJsonObject("deleted_by").getString("role"));
    }
    // the tombstone in history says it too, on either node; an author's own delete says author
    JsonObject own = a.send(ann, room, "typo");
    a.call("deleteMessage", HttpMethod.DELETE, "/messages/" + own.getLong("id"), token(ann), null).expect(204);
    JsonArray history = b.call("listMessages", GET, "/rooms/" + room + "/messages", token(ben), null).expect(200).json()
        .getJsonArray("items");
    java.util.Map<Long, JsonObject> byId = new java.util.HashMap<>();
    history.forEach(m -> byId.put(((JsonObject) m).getLong("id"), (JsonObject) m));
    assertEquals(new JsonObject().put("user_id", mod.getLong("id")).put("role", "moderator"),
        byId.get(rude.getLong("id")).getJsonObject("deleted_by"), "history: " + history);
    assertEquals(new JsonObject().put("user_id", ann.getLong("id")).put("role", "author"), byId.get(own.getLong("id")).getJsonObject("deleted_by"));

    JsonObject row = audit(admin, "?action=message.delete&target_id=" + rude.getLong("id")).getJsonObject(0);
    assertEquals(mod.getLong("id"), row.getLong("actor_id"));
    assertEquals("something rude", row.getJsonObject("before").getString("body"));

    // a moderator also removes a member and deletes a room, neither theirs; each audited
    a.call("removeMember", HttpMethod.DELETE, "/rooms/" + room + "/members/" + ben.getLong("id"), token(ben), null)
        .problem(403, "FORBIDDEN");
    a.call("removeMember", HttpMethod.DELETE, "/rooms/" + room + "/members/" + ben.getLong("id"), token(mod), null).expect(204);
    a.call("deleteRoom", HttpMethod.DELETE, "/rooms/" + room, token(mod), null).expect(204);
    assertEquals(1, audit(admin, "?action=member.remove&target_id=" + room).size());
    assertEquals(1, audit(admin, "?action=room.delete&target_id=" + room).size());
    a.call("getRoom", GET, "/rooms/" + room, token(ann), null).problem(404, "NOT_FOUND");
  }

  @Test
  @DisplayName("a manual plan grant counts at once and ends at its date; e-mail verification set by an admin")
  void planGrantAndVerification() {
    JsonObject admin = admin();
    JsonObject dot = a.newUser("dot");
    String usage = "/billing/usage";
    assertEquals(10, b.call("getUsage", GET, usage, token(dot), null).expect(200).json().getInteger("daily_message_limit"));
    String until = java.time.Instant.now().plusSeconds(3).toString();
    JsonObject after = a.call("adminUpdateUser", PATCH, "/admin/users/" + dot.getLong("id"), token(admin),
        new JsonObject().put("plan_code", "pro").put("plan_until", until).put("email_verified", true)).expect(200).json();
    assertEquals(true, after.getBoolean("email_verified"));
    assertNull(b.call("getUsage", GET, usage, token(dot), null).expect(200).json().getValue("daily_message_limit"),
        "pro is unlimited, at once, on the other node too");
    JsonObject page = b.call("adminGetUser", GET, "/admin/users/" + dot.getLong("id"), token(admin), null).expect(200).json();
    assertEquals("pro", page.getJsonObject("user").getString("plan_code"));
    assertTrue(Math.abs(java.time.Duration.between(java.time.Instant.parse(until),
        java.time.Instant.parse(page.getJsonObject("user").getString("plan_until"))).toMillis()) < 1, "the grant's end: " + page);
    String name = "/admin/users?q=" + dot.getString("username");
    for (String[] filter : new String[][] {{"&plan=pro&verified=true", "1"}, {"&plan=free", "0"}, {"&verified=false", "0"},
        {"&plan=pro&verified=true&status=active&role=user", "1"}}) {
      assertEquals(Integer.parseInt(filter[1]), a.call("adminListUsers", GET, name + filter[0], token(admin), null).expect(200).json()
          .getJsonArray("items").size(), "users" + filter[0]);
    }
    io.parley.support.Await.until(() -> Integer.valueOf(10).equals(b.call("getUsage", GET, usage, token(dot), null).expect(200).json()
        .getInteger("daily_message_limit")), "the grant ended at its date");
    JsonObject row = audit(admin, "?target_id=" + dot.getLong("id")).getJsonObject(0);
    assertEquals("pro", row.getJsonObject("after").getString("plan_code"));
    a.call("adminUpdateUser", PATCH, "/admin/users/" + dot.getLong("id"), token(admin),
        new JsonObject().put("plan_code", "platinum").put("plan_until", until)).problem(400, "VALIDATION_FAILED");
  }

  @Test
  @DisplayName("an admin adds a plan, audited as plan.create; granted, its limits count at once; a taken code is 409 and writes no row")
  void createPlan() {
    JsonObject admin = admin();
    String code = "tiny-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    JsonObject plan = a.call("adminCreatePlan", POST, "/admin/plans", token(admin), new JsonObject().put("code", code)
        .put("name", "Tiny").put("price_cents", 199).put("daily_message_limit", 2).put("daily_assistant_limit", 0)).expect(201).json();
    assertEquals(code, plan.getString("code"));
    assertEquals("usd", plan.getString("currency"), "the default currency");
    assertEquals(30, plan.getInteger("interval_days"), "the default interval");
    assertEquals(true, plan.getBoolean("active"));
    assertNull(plan.getValue("stripe_price_id"));
    assertTrue(b.call("adminListPlans", GET, "/admin/plans", token(admin), null).expect(200).json().getJsonArray("items").stream()
        .map(JsonObject.class::cast).anyMatch(p -> code.equals(p.getString("code"))), "listed on the other node");
    JsonArray rows = audit(admin, "?action=plan.create&target_id=" + plan.getLong("id"));
    assertEquals(1, rows.size());
    assertNull(rows.getJsonObject(0).getValue("before"));
    assertEquals(plan, rows.getJsonObject(0).getJsonObject("after"));

    int created = audit(admin, "?action=plan.create").size();
    a.call("adminCreatePlan", POST, "/admin/plans", token(admin), new JsonObject().put("code", code).put("name", "Again"))
        .problem(409, "CONFLICT");
    a.call("adminCreatePlan", POST, "/admin/plans", token(admin), new JsonObject().put("code", "Not A Code").put("name", "x"))
        .problem(400, "VALIDATION_FAILED");
    assertEquals(created, audit(admin, "?action=plan.create").size(), "the failed creations wrote no row");

    JsonObject dot = a.newUser("dot");
    a.call("adminUpdateUser", PATCH, "/admin/users/" + dot.getLong("id"), token(admin), new JsonObject().put("plan_code", code)
        .put("plan_until", java.time.Instant.now().plusSeconds(3600).toString())).expect(200);
    JsonObject usage = b.call("getUsage", GET, "/billing/usage", token(dot), null).expect(200).json();
    assertEquals(2, usage.getInteger("daily_message_limit"), "the new plan's limit, at once, on the other node: " + usage);

    // deactivated: no longer sold, while those who have it keep it
    a.call("adminUpdatePlan", PATCH, "/admin/plans/" + code, token(admin), new JsonObject().put("active", false)).expect(200);
    assertTrue(b.call("listPlans", GET, "/plans", null, null).expect(200).json().getJsonArray("items").stream()
        .map(JsonObject.class::cast).noneMatch(p -> code.equals(p.getString("code"))), "no longer sold");
    assertEquals(2, b.call("getUsage", GET, "/billing/usage", token(dot), null).expect(200).json().getInteger("daily_message_limit"));
  }

  @Test
  @DisplayName("a non-admin gets 403 on every operation under /admin in the contract")
  void everyAdminOperationForbidden() {
    JsonObject plain = a.newUser("plain");
    JsonObject paths = Api.await(io.parley.api.Contract.raw(vertx)).getJsonObject("paths");
    int walked = 0;
    for (String path : paths.fieldNames()) {
      if (!path.startsWith("/admin")) {
        continue;
      }
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        if (op == null) {
          continue;
        }
        JsonObject body = method.equals("get") || method.equals("delete") ? null : new JsonObject();
        a.call(op.getString("operationId"), HttpMethod.valueOf(method.toUpperCase()), path.replaceAll("\\{[^}]+}", "1"),
            token(plain), body).problem(403, "FORBIDDEN");
        walked++;
      }
    }
    assertTrue(walked >= 2, "the contract has admin operations: " + walked);
  }

  @Test
  @DisplayName("role changes and disabling are audited with before and after; disabling closes the user's sockets on both nodes and stops login and refresh")
  void disableAndRoles() throws Exception {
    JsonObject admin = admin();
    long adminId = admin.getJsonObject("user").getLong("id");
    JsonObject bob = a.newUser("bob");
    long bobId = bob.getLong("id");
    JsonObject moderator = a.call("adminUpdateUser", PATCH, "/admin/users/" + bobId, token(admin),
        new JsonObject().put("role", "moderator")).expect(200).json();
    assertEquals("moderator", moderator.getString("role"));
    JsonObject refreshed = a.call("refresh", POST, "/auth/refresh", null,
        new JsonObject().put("refresh_token", bob.getString("refresh_token"))).expect(200).json();
    assertEquals("moderator", refreshed.getJsonObject("user").getString("role"), "the next token carries the new role");
    JsonObject row = audit(admin, "?action=user.update&target_id=" + bobId).getJsonObject(0);
    assertEquals(adminId, row.getLong("actor_id"));
    assertEquals("user", row.getJsonObject("before").getString("role"));
    assertEquals("moderator", row.getJsonObject("after").getString("role"));
    assertEquals("active", row.getJsonObject("after").getString("status"));
    assertTrue(row.getString("request_id") != null && row.getString("ip") != null);

    JsonObject carol = a.newUser("carol");
    long carolId = carol.getLong("id");
    try (Ws onA = Ws.open(vertx, cluster.a().gatewayPort(), token(carol));
         Ws onB = Ws.open(vertx, cluster.b().gatewayPort(), token(carol))) {
      int before = audit(admin, "?target_id=" + carolId).size();
      b.call("adminUpdateUser", PATCH, "/admin/users/999999999", token(admin), new JsonObject().put("status", "disabled"))
          .problem(404, "NOT_FOUND");
      a.call("adminUpdateUser", PATCH, "/admin/users/" + adminId, token(admin), new JsonObject().put("role", "user"))
          .problem(400, "VALIDATION_FAILED");
      b.call("adminUpdateUser", PATCH, "/admin/users/" + carolId, token(admin), new JsonObject().put("status", "disabled"))
          .expect(200);
      assertEquals((short) 4403, onA.closed.get(10, TimeUnit.SECONDS), "closed on node A");
      assertEquals((short) 4403, onB.closed.get(10, TimeUnit.SECONDS), "closed on node B");
      JsonArray rows = audit(admin, "?target_id=" + carolId);
      assertEquals(before + 1, rows.size(), "one row for the change; the failed ones wrote none");
      assertEquals("disabled", rows.getJsonObject(0).getJsonObject("after").getString("status"));
    }
    a.call("login", POST, "/auth/login", null, new JsonObject().put("email", carol.getString("email"))
        .put("password", "correct horse")).problem(401, "UNAUTHORIZED");
    a.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", carol.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");
    a.call("adminUpdateUser", PATCH, "/admin/users/" + carolId, token(admin), new JsonObject().put("status", "active")).expect(200);
    a.call("login", POST, "/auth/login", null, new JsonObject().put("email", carol.getString("email"))
        .put("password", "correct horse")).expect(200);
  }
}
