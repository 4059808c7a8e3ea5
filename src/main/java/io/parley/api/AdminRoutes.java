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

import io.parley.bus.ParleyException;
import io.vertx.core.Handler;
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

  AdminRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    on(rb, "adminUpdateUser", admin(rc -> {
      JsonObject b = body(rc);
      JsonObject request = new JsonObject().put("actor_id", userId(rc)).put("user_id", pathLong(rc, "user_id"))
          .put("status", b.getString("status")).put("role", b.getString("role"))
          .put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID));
      if (request.getLong("actor_id").equals(request.getLong("user_id")) && (b.containsKey("status") || b.containsKey("role"))) {
        throw ParleyException.invalid("user_id", "admins change other accounts, not their own (ask another admin)");
      }
      api.call(rc, ADMIN_USER_UPDATE, request, 200);
    }));
    on(rb, "adminListUsers", admin(rc -> api.call(rc, ADMIN_USERS, RouteSupport.page(rc).put("limit", queryInt(rc, "limit", 50))
        .put("q", query(rc, "q")).put("status", query(rc, "status")).put("role", query(rc, "role")), 200)));
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
