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
  @DisplayName("a moderator deletes another user's message on node A: members on node B see it removed with deleted_by, also in a replay; audited")
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
    assertEquals(new JsonObject().put("status", "active").put("role", "user"), row.getJsonObject("before"));
    assertEquals(new JsonObject().put("status", "active").put("role", "moderator"), row.getJsonObject("after"));
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
