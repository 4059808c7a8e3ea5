package io.parley.persistence.search;

import static io.vertx.core.http.HttpMethod.GET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.Api;
import io.vertx.core.json.JsonObject;

/**
 * Every status searchMessages declares (but the shared edge ones), answered once each and
 * recorded by {@code api}: run by ApiContractTest, whose last check wants every declared status
 * exercised. The behaviour behind them is SearchTest's.
 */
public final class SearchContractCalls {
  private SearchContractCalls() {}

  public static void exercise(Api api) {
    JsonObject ann = api.newUser("search_ann");
    JsonObject bob = api.newUser("search_bob");
    String token = ann.getString("access_token");
    long room = api.newRoom(ann, true).getLong("id");
    api.send(ann, room, "contract searchable words");
    JsonObject page = api.call("searchMessages", GET, "/search/messages?q=searchable&room_id=" + room, token, null).expect(200).json();
    assertEquals(1, page.getJsonArray("items").size());
    api.call("searchMessages", GET, "/search/messages?q=%20%20", token, null).problem(400, "VALIDATION_FAILED");
    api.call("searchMessages", GET, "/search/messages?q=x", null, null).problem(401, "UNAUTHORIZED");
    api.call("searchMessages", GET, "/search/messages?q=x&room_id=" + room, bob.getString("access_token"), null)
        .problem(404, "NOT_FOUND");
  }
}
