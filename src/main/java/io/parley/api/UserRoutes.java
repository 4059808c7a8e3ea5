package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.page;
import static io.parley.api.RouteSupport.query;
import static io.parley.api.RouteSupport.userId;
import static io.parley.api.RouteSupport.validated;
import static io.parley.bus.Addresses.*;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.UUID;

/**
 * The user routes: your profile ({@code /users/me}), user search, invitations, presence (only
 * of users who share a room with you), the client configuration and the development mailbox.
 */
final class UserRoutes {
  private final RouteSupport api;
  private final JsonObject auth;
  private final JsonObject clientConfig;

  /** @param clientConfig what {@code GET /client-config} answers */
  UserRoutes(RouteSupport api, JsonObject auth, JsonObject clientConfig) {
    this.api = api;
    this.auth = auth;
    this.clientConfig = clientConfig;
  }

  void mount(RouterBuilder rb) {
    on(rb, "getClientConfig", rc -> json(rc, 200, clientConfig));
    on(rb, "getMe", rc -> api.call(rc, USERS_GET, new JsonObject().put("id", userId(rc)), 200));
    on(rb, "updateMe", rc -> api.call(rc, USERS_UPDATE, body(rc).put("user_id", userId(rc)), 200));
    on(rb, "searchUsers", rc -> api.call(rc, USERS_SEARCH, page(rc).put("q", query(rc, "q")), 200));
    on(rb, "inviteUser", this::inviteUser);
    // presence is visible to those who share a room with the user; others are left out of the answer
    on(rb, "getPresence", rc -> api.request(rc, USERS_SHARING_ROOM, new JsonObject().put("user_id", userId(rc))
            .put("user_ids", validated(rc).getQuery().get("user_ids").getJsonArray()))
        .compose(visible -> api.request(rc, PRESENCE_QUERY, new JsonObject().put("user_ids", visible.getJsonArray("user_ids"))))
        .onSuccess(r -> json(rc, 200, r))
        .onFailure(rc::fail));
    on(rb, "devMailbox", rc -> RouteSupport.devOnly(api.request(rc, MAIL_DEV_MAILBOX, new JsonObject()), "development mailbox")
        .onSuccess(r -> json(rc, 200, r))
        .onFailure(rc::fail));
  }

  private void inviteUser(RoutingContext rc) {
    String email = body(rc).getString("email").trim();
    String local = email.substring(0, Math.max(0, email.indexOf('@'))).replaceAll("[^A-Za-z0-9_.-]", "");
    String base = local.length() < 3 ? "user" : local.substring(0, Math.min(local.length(), 24));
    String username = base + "_" + UUID.randomUUID().toString().substring(0, 6);
    api.call(rc, USERS_INVITE, AuthRoutes.withToken(new JsonObject().put("inviter_id", userId(rc)).put("email", email)
        .put("username", username), auth.getLong("invite_token_ttl_s", 604_800L)), 201);
  }

}
