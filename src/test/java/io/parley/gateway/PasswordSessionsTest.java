package io.parley.gateway;

import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.DevMailNode;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new password ends the user's other sessions at once (issue 18): their refresh tokens are
 * revoked and their sockets, on every node, are closed with 4410. A password change keeps the
 * session that made it: its sockets stay open and it gets a fresh token pair.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("A new password ends the other sessions")
class PasswordSessionsTest {
  private Vertx vertx;
  private TestCluster cluster;
  private Api a;
  private Api b;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort(), a.exercised());
  }

  /** Another login (session) of {@code user}: {access_token, refresh_token}. */
  private JsonObject login(JsonObject user, String password) {
    return a.call("login", POST, "/auth/login", null, new JsonObject().put("email", user.getString("email")).put("password", password))
        .expect(200).json();
  }

  private JsonObject refresh(Api api, String refreshToken) {
    return api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", refreshToken)).json();
  }

  @Test
  @DisplayName("a password change closes the other sessions' sockets on both nodes with 4410 and revokes their refresh tokens; the changing session keeps its socket")
  void changeEndsOtherSessions() throws Exception {
    JsonObject user = a.newUser("changer");
    JsonObject here = login(user, "correct horse");   // the session that changes the password
    JsonObject other = login(user, "correct horse");  // another device
    try (Ws mine = Ws.open(vertx, cluster.a().gatewayPort(), here.getString("access_token"));
         Ws otherOnA = Ws.open(vertx, cluster.a().gatewayPort(), other.getString("access_token"));
         Ws otherOnB = Ws.open(vertx, cluster.b().gatewayPort(), other.getString("access_token"))) {
      JsonObject changed = b.call("changePassword", POST, "/auth/password/change", here.getString("access_token"),
          new JsonObject().put("current_password", "correct horse").put("new_password", "a new horse")).expect(200).json();

      assertEquals((short) 4410, otherOnA.closed.get(10, TimeUnit.SECONDS), "the other session's socket on node A");
      assertEquals((short) 4410, otherOnB.closed.get(10, TimeUnit.SECONDS), "the other session's socket on node B");
      mine.assertUsable(); // the changing session's socket stays open
      assertFalse(mine.closed.isDone());

      // refresh tokens of every session before the change are revoked; the fresh pair works
      b.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", other.getString("refresh_token")))
          .problem(401, "UNAUTHORIZED");
      a.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", here.getString("refresh_token")))
          .problem(401, "UNAUTHORIZED");
      JsonObject renewed = refresh(a, changed.getString("refresh_token"));
      try (Ws again = Ws.open(vertx, cluster.b().gatewayPort(), renewed.getString("access_token"))) {
        again.assertUsable();
      }
    }
  }

  @Test
  @DisplayName("a password reset by mail closes every socket of the user on both nodes with 4410 and revokes every refresh token")
  void resetEndsEverySession() throws Exception {
    try (DevMailNode mail = DevMailNode.start(cluster, "http://127.0.0.1:" + cluster.a().apiPort())) {
      JsonObject user = a.newUser("resetter");
      JsonObject other = login(user, "correct horse");
      try (Ws onA = Ws.open(vertx, cluster.a().gatewayPort(), user.getString("access_token"));
           Ws onB = Ws.open(vertx, cluster.b().gatewayPort(), other.getString("access_token"))) {
        a.call("forgotPassword", POST, "/auth/password/forgot", null, new JsonObject().put("email", user.getString("email")))
            .expect(202);
        String token = DevMailNode.tokenOf(DevMailNode.awaitMail(a, user.getString("email"), "Reset your Parley password"));
        b.call("resetPassword", POST, "/auth/password/reset", null, new JsonObject().put("token", token)
            .put("new_password", "a reset horse")).expect(204);

        assertEquals((short) 4410, onA.closed.get(10, TimeUnit.SECONDS), "closed on node A");
        assertEquals((short) 4410, onB.closed.get(10, TimeUnit.SECONDS), "closed on node B");
        a.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", other.getString("refresh_token")))
            .problem(401, "UNAUTHORIZED");
        login(user, "a reset horse");
      }
    }
  }
}
