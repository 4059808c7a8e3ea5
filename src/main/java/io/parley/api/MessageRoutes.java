package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.inRoom;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.pathLong;
import static io.parley.api.RouteSupport.queryInt;
import static io.parley.api.RouteSupport.queryLong;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.*;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The message routes: history (keyset pages by seq), send (idempotent on {@code client_msg_id}), edit, delete. */
final class MessageRoutes {
  private final RouteSupport api;

  MessageRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    on(rb, "listMessages", this::listMessages);
    on(rb, "sendMessage", rc -> api.request(rc, MESSAGES_SEND, body(rc).mergeIn(inRoom(rc)))
        .onSuccess(r -> json(rc, r.getBoolean("duplicate") ? 200 : 201, r.getJsonObject("message")))
        .onFailure(rc::fail));
    on(rb, "editMessage", rc -> api.request(rc, MESSAGES_EDIT,
        body(rc).put("user_id", userId(rc)).put("message_id", pathLong(rc, "message_id")))
        .onSuccess(r -> json(rc, 200, r.getJsonObject("message")))
        .onFailure(rc::fail));
    on(rb, "deleteMessage", rc -> api.call(rc, MESSAGES_DELETE,
        new JsonObject().put("user_id", userId(rc)).put("message_id", pathLong(rc, "message_id"))
            .put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID)), 204)); // audited when a moderator's
  }

  /** A history page; it comes encoded from persistence and goes out as it is. */
  private void listMessages(RoutingContext rc) {
    JsonObject b = inRoom(rc).put("limit", queryInt(rc, "limit", 50));
    Long before = queryLong(rc, "before_seq");
    Long after = queryLong(rc, "after_seq");
    if (before != null) {
      b.put("before_seq", before);
    }
    if (after != null) {
      b.put("after_seq", after);
    }
    api.bus().requestEncoded(MESSAGES_HISTORY, b, rc.get(HttpEdge.REQUEST_ID))
        .onSuccess(page -> json(rc, 200, page))
        .onFailure(rc::fail);
  }
}
