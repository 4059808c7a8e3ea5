package io.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** The bootstrap admin of a test cluster: {@code email} of auth.admin_emails, registered (once), verified, logged in. */
public final class Admins {
  private Admins() {}

  /** Logs in as the admin of {@code email}, registering it first when needed; {id, access_token, refresh_token, role}. */
  public static synchronized JsonObject admin(Vertx vertx, Api api, TestCluster cluster, String email) {
    JsonObject login = new JsonObject().put("email", email).put("password", "correct horse");
    Api.Resp tried = api.call("login", HttpMethod.POST, "/auth/login", null, login);
    if (tried.status() == 401) {
      String name = email.substring(0, email.indexOf('@')).replace('-', '_');
      api.call("register", HttpMethod.POST, "/auth/register", null, login.copy().put("username", name)).expect(201);
    }
    verify(vertx, cluster, email);
    return api.call("login", HttpMethod.POST, "/auth/login", null, login).expect(200).json();
  }

  /** Marks {@code email} verified in the database (what its mailed link would do). */
  public static void verify(Vertx vertx, TestCluster cluster, String email) {
    Pool db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try {
      Api.await(db.preparedQuery("UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE lower(email) = lower($1)")
          .execute(Tuple.of(email)));
    } finally {
      db.close();
    }
  }
}
