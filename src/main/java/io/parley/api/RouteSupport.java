package io.parley.api;

import io.parley.auth.AccessTokens;
import io.parley.bus.Bus;
import io.parley.bus.ParleyException;
import io.parley.bus.StorableText;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.Map;

/**
 * What the route classes share: binding a handler to an operation of the contract, one bus
 * request per call (with the request id), answering JSON, and reading the validated request
 * (path, query, body) that the contract already checked.
 */
final class RouteSupport {
  private final Bus bus;

  RouteSupport(Bus bus) {
    this.bus = bus;
  }

  /** The bus, for calls that need more than {@link #request} (e.g. an encoded reply). */
  Bus bus() {
    return bus;
  }

  /**
   * Binds {@code handler} to an operation, after validation; first refuses a body with text that
   * PostgreSQL cannot store (in any string, keys included; path and query: {@link HttpEdge}).
   */
  static void on(RouterBuilder rb, String operationId, io.vertx.core.Handler<RoutingContext> handler) {
    rb.getRoute(operationId).addHandler(rc -> {
      try {
        RequestParameter body = validated(rc).getBody();
        if (body != null && !body.isNull()) {
          StorableText.requireAll("", body.get());
        }
        handler.handle(rc);
      } catch (ParleyException e) {
        rc.fail(e);
      }
    });
  }

  Future<JsonObject> request(RoutingContext rc, String address, JsonObject body) {
    return bus.request(address, body, rc.get(HttpEdge.REQUEST_ID));
  }

  /** One bus request answered as JSON with {@code status} (204: no body); failures as problems. */
  void call(RoutingContext rc, String address, JsonObject body, int status) {
    request(rc, address, body).onSuccess(r -> {
      if (status == 204) {
        rc.response().setStatusCode(204).end();
      } else {
        json(rc, status, r);
      }
    }).onFailure(rc::fail);
  }

  static void json(RoutingContext rc, int status, JsonObject body) {
    json(rc, status, body.toBuffer());
  }

  /** Sends JSON already encoded (a history page from persistence) with {@code status}. */
  static void json(RoutingContext rc, int status, Buffer body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /** The caller's user id (the JWT handler let only tokens naming a user through). */
  static long userId(RoutingContext rc) {
    return AccessTokens.userId(rc.user().principal());
  }

  static ValidatedRequest validated(RoutingContext rc) {
    return rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  static JsonObject body(RoutingContext rc) {
    RequestParameter b = validated(rc).getBody();
    return b == null || b.isNull() ? new JsonObject() : b.getJsonObject().copy();
  }

  static long pathLong(RoutingContext rc, String name) {
    return validated(rc).getPathParameters().get(name).getLong();
  }

  static JsonObject inRoom(RoutingContext rc) {
    return new JsonObject().put("user_id", userId(rc)).put("room_id", pathLong(rc, "room_id"));
  }

  static RequestParameter param(RoutingContext rc, String name) {
    Map<String, RequestParameter> q = validated(rc).getQuery();
    RequestParameter p = q == null ? null : q.get(name);
    return p == null || p.isNull() ? null : p;
  }

  static String query(RoutingContext rc, String name) {
    RequestParameter p = param(rc, name);
    return p == null ? null : p.getString();
  }

  static Long queryLong(RoutingContext rc, String name) {
    RequestParameter p = param(rc, name);
    return p == null ? null : p.getLong();
  }

  static Boolean queryBoolean(RoutingContext rc, String name) {
    RequestParameter p = param(rc, name);
    return p == null ? null : p.getBoolean();
  }

  static int queryInt(RoutingContext rc, String name, int fallback) {
    RequestParameter p = param(rc, name);
    return p == null ? fallback : p.getInteger();
  }

  /**
   * A request to a development-only service (the dev mailbox, the Stripe simulator): when no node
   * serves it (UNAVAILABLE), the thing does not exist here: NOT_FOUND.
   */
  static <T> Future<T> devOnly(Future<T> request, String what) {
    return request.recover(err -> Bus.toParley(err).code() == io.parley.bus.ErrorCode.UNAVAILABLE
        ? Future.failedFuture(new ParleyException(io.parley.bus.ErrorCode.NOT_FOUND, "no " + what + " in this cluster"))
        : Future.failedFuture(err));
  }

  static JsonObject page(RoutingContext rc) {
    JsonObject b = new JsonObject().put("limit", queryInt(rc, "limit", 50));
    String cursor = query(rc, "cursor");
    if (cursor != null) {
      b.put("cursor", cursor);
    }
    return b;
  }
}
