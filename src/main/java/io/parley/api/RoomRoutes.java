package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.inRoom;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.page;
import static io.parley.api.RouteSupport.pathLong;
import static io.parley.api.RouteSupport.query;
import static io.parley.api.RouteSupport.queryInt;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The room routes: rooms (create, list mine and public ones, read, update, delete, join, leave),
 * members (list with presence, add, remove), read markers and unread counts, and one-to-one
 * conversations.
 */
final class RoomRoutes {
  private final RouteSupport api;

  RoomRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    on(rb, "createRoom", rc -> api.call(rc, ROOMS_CREATE, body(rc).put("user_id", userId(rc)), 201));
    on(rb, "listRooms", rc -> api.call(rc, ROOMS_LIST_MINE, page(rc).put("user_id", userId(rc)), 200));
    on(rb, "listPublicRooms", rc -> api.call(rc, ROOMS_LIST_PUBLIC, page(rc).put("user_id", userId(rc)).put("q", query(rc, "q")), 200));
    on(rb, "getRoom", rc -> api.call(rc, ROOMS_GET, inRoom(rc), 200));
    on(rb, "updateRoom", rc -> api.call(rc, ROOMS_UPDATE, body(rc).mergeIn(inRoom(rc)), 200));
    on(rb, "deleteRoom", rc -> api.call(rc, ROOMS_DELETE, audited(rc, inRoom(rc)), 204)); // owners, and moderators (audited)
    on(rb, "joinRoom", rc -> api.call(rc, ROOMS_JOIN, inRoom(rc), 200));
    on(rb, "leaveRoom", rc -> api.call(rc, ROOMS_LEAVE, // an owner hands the room over to new_owner_id
        inRoom(rc).put("new_owner_id", body(rc).getLong("new_owner_id")), 204));
    on(rb, "listMembers", this::listMembers);
    on(rb, "addMember", rc -> api.call(rc, MEMBERS_ADD, inRoom(rc).put("target_user_id", body(rc).getLong("user_id")), 201));
    on(rb, "removeMember", rc -> api.call(rc, MEMBERS_REMOVE,
        audited(rc, inRoom(rc).put("target_user_id", pathLong(rc, "user_id"))), 204));
    on(rb, "markRead", rc -> api.call(rc, MEMBERS_READ, inRoom(rc).put("seq", body(rc).getLong("seq")), 200));
    on(rb, "getUnread", rc -> api.call(rc, UNREAD, new JsonObject().put("user_id", userId(rc)), 200));
    on(rb, "openConversation", rc -> api.request(rc, CONVERSATIONS_OPEN,
        new JsonObject().put("user_id", userId(rc)).put("peer_id", body(rc).getLong("user_id")))
        .onSuccess(r -> json(rc, r.getBoolean("created") ? 201 : 200, r.getJsonObject("room")))
        .onFailure(rc::fail));
  }

  /** Members with their read markers and, when presence answers, whether they are online (else null). */
  private void listMembers(RoutingContext rc) {
    api.request(rc, MEMBERS_LIST, page(rc).put("limit", queryInt(rc, "limit", 100)).mergeIn(inRoom(rc)))
        .compose(page -> {
          JsonArray ids = new JsonArray();
          page.getJsonArray("items").forEach(m -> ids.add(((JsonObject) m).getLong("user_id")));
          return api.request(rc, PRESENCE_QUERY, new JsonObject().put("user_ids", ids))
              .timeout(1, TimeUnit.SECONDS) // presence is optional here: never slow the list down
              .map(p -> {
                Map<Long, String> status = new HashMap<>();
                p.getJsonArray("items").forEach(i -> status.put(((JsonObject) i).getLong("user_id"), ((JsonObject) i).getString("status")));
                page.getJsonArray("items").forEach(m -> ((JsonObject) m).put("online", "online".equals(status.get(((JsonObject) m).getLong("user_id")))));
                return page;
              })
              .otherwise(err -> {
                page.getJsonArray("items").forEach(m -> ((JsonObject) m).putNull("online")); // presence degraded
                return page;
              });
        })
        .onSuccess(page -> json(rc, 200, page))
        .onFailure(rc::fail);
  }


  /** The client address and request id, for the audit row of a moderator's action. */
  private static JsonObject audited(io.vertx.ext.web.RoutingContext rc, JsonObject body) {
    return body.put("ip", HttpLimits.clientIp(rc)).put("request_id", rc.get(HttpEdge.REQUEST_ID));
  }
}
