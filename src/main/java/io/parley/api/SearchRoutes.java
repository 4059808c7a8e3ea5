package io.parley.api;

import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.query;
import static io.parley.api.RouteSupport.queryInt;
import static io.parley.api.RouteSupport.queryLong;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.SEARCH_MESSAGES;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** The search routes: full-text search of the caller's messages (newest first, keyset-paged by an opaque {@code before}). */
final class SearchRoutes {
  private final RouteSupport api;

  SearchRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    rb.rootHandler(SearchRoutes::keepQueryText);
    on(rb, "searchMessages", this::searchMessages);
  }

  /** searchMessages' path in the contract (root handlers run before any operation is matched). */
  private static final String PATH = "/search/messages";

  /** The query parameters of searchMessages that are text as typed, passed through validation unchanged. */
  private static final java.util.List<String> TEXT_PARAMS = java.util.List.of("q", "before");

  /**
   * Before validation (a root handler: it runs for every request of the contract's router and acts on
   * searchMessages' path only): the contract validator of vertx-openapi 5.0 reads a string query
   * value as JSON when it can and percent-decodes it a second time, so {@code "exact phrase"}
   * would lose its quotes, {@code 1.5} become a number, and a lone {@code "} or {@code 100%} be
   * refused. Handing it the value JSON-encoded and percent-encoded once more makes it arrive at
   * the validator's checks (minLength, maxLength) and at the handler exactly as the client typed it.
   */
  static void keepQueryText(RoutingContext rc) {
    String mount = rc.mountPoint() == null ? "" : rc.mountPoint().replaceFirst("/$", "");
    if (rc.request().method() == io.vertx.core.http.HttpMethod.GET && (mount + PATH).equals(rc.normalizedPath())) {
      io.vertx.core.MultiMap params = rc.request().params();
      for (String name : TEXT_PARAMS) {
        String value = params.get(name);
        if (value != null) {
          params.set(name, java.net.URLEncoder.encode(io.vertx.core.json.Json.encode(value), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    rc.next();
  }

  private void searchMessages(RoutingContext rc) {
    JsonObject b = new JsonObject().put("user_id", userId(rc)).put("q", query(rc, "q")).put("limit", queryInt(rc, "limit", 20));
    Long roomId = queryLong(rc, "room_id");
    if (roomId != null) {
      b.put("room_id", roomId);
    }
    String before = query(rc, "before");
    if (before != null) {
      b.put("before", before);
    }
    api.request(rc, SEARCH_MESSAGES, b).onSuccess(page -> json(rc, 200, page)).onFailure(rc::fail);
  }
}
