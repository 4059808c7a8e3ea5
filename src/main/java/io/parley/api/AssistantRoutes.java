package io.parley.api;

import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.ASSISTANT_CONVERSATION;
import static io.parley.bus.Addresses.ASSISTANT_STATUS;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * The assistant's routes: whether it is on and who it is ({@code getAssistant}), and the caller's
 * conversation with it ({@code openAssistantConversation}: 201 when made now, 200 when it was
 * there; 503 {@code ASSISTANT_NOT_CONFIGURED} when the assistant is off). Both are answered by the
 * assistant verticle; without one in the cluster they are 503 {@code UNAVAILABLE}.
 */
final class AssistantRoutes {
  private final RouteSupport api;

  AssistantRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    on(rb, "getAssistant", rc -> api.call(rc, ASSISTANT_STATUS, new JsonObject(), 200));
    on(rb, "openAssistantConversation", rc -> api.request(rc, ASSISTANT_CONVERSATION, new JsonObject().put("user_id", userId(rc)))
        .onSuccess(r -> json(rc, r.getBoolean("created") ? 201 : 200, r.getJsonObject("room")))
        .onFailure(rc::fail));
  }
}
