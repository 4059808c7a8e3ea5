package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.pathLong;
import static io.parley.api.RouteSupport.queryInt;
import static io.parley.api.RouteSupport.queryLong;
import static io.parley.api.RouteSupport.query;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.ADMIN_AUDIT;
import static io.parley.bus.Addresses.ADMIN_USER_UPDATE;
import static io.parley.bus.Addresses.ADMIN_USERS;
import static io.parley.bus.Addresses.ADMIN_USER;
import static io.parley.bus.Addresses.ADMIN_PAYMENTS;
import static io.parley.bus.Addresses.ADMIN_PLANS;
import static io.parley.bus.Addresses.ADMIN_PLAN_CREATE;
import static io.parley.bus.Addresses.ADMIN_PLAN_UPDATE;
import static io.parley.bus.Addresses.ADMIN_ROOMS;
import static io.parley.bus.Addresses.ADMIN_USAGE;

import io.parley.bus.ParleyException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * The admin routes under {@code /admin}: allowed by the {@code role} claim of the access token
 * ({@code admin}; 403 {@code FORBIDDEN} for everyone else), so a demoted admin keeps access until
 * the token expires ({@code auth.access_token_ttl_s}, 15 minutes by default) at the most. Every
 * change is audited with the caller, the client address and the request id.
 */
final class AdminRoutes {
  private final RouteSupport api;
  private final JWTAuth jwt;

  AdminRoutes(RouteSupport api, JWTAuth jwt) {
    this.api = api;
    this.jwt = jwt;
  }

  void mount(RouterBuilder rb) {
    rb.rootHandler(this::adminFirst);
    on(rb, "adminUpdateUser", admin(rc -> {
      JsonObject b = body(rc);
      JsonObject request = new JsonObject().put("actor_id", userId(rc)).put("user_id", pathLong(rc, "user_id"))
          .put("status", b.getString("status")).put("role", b.getString("role"))
          .put("email_verified", b.getBoolean("email_verified")).put("plan_code", b.getString("plan_code"))
          .put("plan_until", b.getString("plan_until"))
          .put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID));
      if (b.containsKey("plan_code") != b.containsKey("plan_until")) {
        throw ParleyException.invalid("plan_until", "a plan grant takes plan_code and plan_until together");
      }
      if (request.getLong("actor_id").equals(request.getLong("user_id")) && (b.containsKey("status") || b.containsKey("role"))) {
        throw ParleyException.invalid("user_id", "admins change other accounts, not their own (ask another admin)");
      }
      api.call(rc, ADMIN_USER_UPDATE, request, 200);
    }));
    on(rb, "adminListUsers", admin(rc -> api.call(rc, ADMIN_USERS, RouteSupport.page(rc).put("limit", queryInt(rc, "limit", 50))
        .put("q", query(rc, "q")).put("status", query(rc, "status")).put("role", query(rc, "role"))
        .put("plan", query(rc, "plan")).put("verified", RouteSupport.queryBoolean(rc, "verified")), 200)));
    on(rb, "adminGetUser", admin(rc -> api.call(rc, ADMIN_USER, new JsonObject().put("user_id", pathLong(rc, "user_id")), 200)));
    on(rb, "adminListPlans", admin(rc -> api.call(rc, ADMIN_PLANS, new JsonObject(), 200)));
    on(rb, "adminUpdatePlan", admin(rc -> api.call(rc, ADMIN_PLAN_UPDATE, body(rc).copy().put("actor_id", userId(rc))
        .put("code", RouteSupport.validated(rc).getPathParameters().get("code").getString())
        .put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID)), 200)));
    on(rb, "adminCreatePlan", admin(rc -> api.call(rc, ADMIN_PLAN_CREATE, body(rc).copy().put("actor_id", userId(rc))
        .put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID)), 201)));
    on(rb, "adminListPayments", admin(rc -> {
      JsonObject q = new JsonObject().put("limit", queryInt(rc, "limit", 50)).put("user_id", queryLong(rc, "user_id"))
          .put("status", query(rc, "status")).put("from", query(rc, "from")).put("to", query(rc, "to"));
      Long before = queryLong(rc, "before");
      if (before != null) {
        q.put("before", before);
      }
      api.call(rc, ADMIN_PAYMENTS, q, 200);
    }));
    on(rb, "adminUsage", admin(rc -> api.call(rc, ADMIN_USAGE, new JsonObject().put("days", queryInt(rc, "days", 30)), 200)));
    on(rb, "adminListRooms", admin(rc -> api.call(rc, ADMIN_ROOMS, RouteSupport.page(rc), 200)));
    on(rb, "adminAudit", admin(rc -> {
      JsonObject q = new JsonObject().put("limit", queryInt(rc, "limit", 50));
      Long before = queryLong(rc, "before");
      if (before != null) {
        q.put("before", before);
      }
      Long actor = queryLong(rc, "actor_id");
      if (actor != null) {
        q.put("actor_id", actor);
      }
      Long target = queryLong(rc, "target_id");
      if (target != null) {
        q.put("target_id", target);
      }
      q.put("action", query(rc, "action")).put("target_type", query(rc, "target_type"));
      api.request(rc, ADMIN_AUDIT, q).onSuccess(page -> json(rc, 200, page)).onFailure(rc::fail);
    }));
  }

  /**
   * Before the contract's validation (a root handler, run for every request of the contract's
   * router, acting on paths under {@code /admin} only): a valid token without {@code role: admin}
   * is refused 403 at once, so a non-admin learns nothing of an admin operation's request
   * schema. No token or an invalid one goes on to the bearer check (401).
   */
  private void adminFirst(RoutingContext rc) {
    String mount = rc.mountPoint() == null ? "" : rc.mountPoint().replaceFirst("/$", "");
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (!rc.normalizedPath().startsWith(mount + "/admin/") || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      rc.next();
      return;
    }
    jwt.authenticate(new TokenCredentials(header.substring(7).trim())).onComplete(ar -> {
      if (ar.succeeded() && !"admin".equals(ar.result().principal().getString("role"))) {
        rc.fail(ParleyException.forbidden("this needs an admin"));
      } else {
        rc.next();
      }
    });
  }

  /** {@code handler}, for callers whose token says {@code role: admin}; 403 for anyone else. */
  static Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
    return rc -> {
      if (!"admin".equals(rc.user().principal().getString("role"))) {
        throw ParleyException.forbidden("this needs an admin");
      }
      handler.handle(rc);
    };
  }
}
