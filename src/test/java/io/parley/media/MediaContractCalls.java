package io.parley.media;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.Api;
import io.parley.support.Media;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Every status the media operations declare (but the shared edge ones), answered once each and
 * recorded by {@code api}: run by ApiContractTest, whose last check wants every declared status
 * exercised. The behaviour behind them is AttachmentsTest's.
 */
public final class MediaContractCalls {
  private MediaContractCalls() {}

  public static void exercise(Api api) {
    JsonObject ann = api.newUser("media_ann");
    JsonObject bob = api.newUser("media_bob");
    String token = ann.getString("access_token");
    String other = bob.getString("access_token");
    long room = api.newRoom(ann, true).getLong("id");

    JsonObject image = api.upload(token, "a.png", "image/png", Media.png(40, 30)).expect(201).json();
    long id = image.getLong("id");
    Media.Multipart wrongField = Media.multipart("picture", "a.png", "image/png", Media.png(4, 4));
    api.call("uploadAttachment", POST, "/attachments", token, wrongField.body(), Map.of("Content-Type", wrongField.contentType()))
        .problem(400, "VALIDATION_FAILED");
    api.upload(null, "a.png", "image/png", Media.png(4, 4)).problem(401, "UNAUTHORIZED");

    api.call("getAttachment", GET, "/attachments/" + id, token, null).expect(200);
    api.call("getAttachment", GET, "/attachments/" + id, null, null).problem(401, "UNAUTHORIZED");
    api.call("getAttachment", GET, "/attachments/" + id, other, null).problem(404, "NOT_FOUND");

    for (String variant : new String[] {"content", "thumbnail"}) {
      String op = variant.equals("content") ? "downloadAttachment" : "downloadThumbnail";
      String url = image.getString(variant.equals("content") ? "url" : "thumbnail_url");
      String etag = api.record(op, api.fetch(GET, url, null, Map.of()).expect(200)).headers().get("ETag");
      api.record(op, api.fetch(GET, url, null, Map.of("If-None-Match", etag)).expect(304));
      api.record(op, api.fetch(GET, "/api/v1/attachments/" + id + "/" + variant, null, Map.of())).problem(401, "UNAUTHORIZED");
      api.record(op, api.fetch(GET, "/api/v1/attachments/" + id + "/" + variant, other, Map.of())).problem(404, "NOT_FOUND");
    }
    api.record("downloadAttachment", api.fetch(GET, image.getString("url"), null, Map.of("Range", "bytes=0-3")).expect(206));
    assertEquals(416, api.record("downloadAttachment",
        api.fetch(GET, image.getString("url"), null, Map.of("Range", "bytes=999999-"))).status());

    api.call("setAvatar", PUT, "/users/me/avatar", token, new JsonObject().put("attachment_id", id)).expect(200);
    String avatar = api.call("getMe", GET, "/users/me", token, null).expect(200).json().getString("avatar_url");
    api.record("getAvatar", api.fetch(GET, avatar, null, Map.of()).expect(200));
    api.call("setAvatar", PUT, "/users/me/avatar", token, new JsonObject().put("attachment_id", "x")).problem(400, "VALIDATION_FAILED");
    api.call("setAvatar", PUT, "/users/me/avatar", null, new JsonObject().put("attachment_id", id)).problem(401, "UNAUTHORIZED");
    api.call("setAvatar", PUT, "/users/me/avatar", other, new JsonObject().put("attachment_id", id)).problem(404, "NOT_FOUND");
    JsonObject sent = api.upload(token, "b.png", "image/png", Media.png(8, 8)).expect(201).json();
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", token,
        new JsonObject().put("attachment_ids", new JsonArray().add(sent.getLong("id")))).expect(201);
    api.call("setAvatar", PUT, "/users/me/avatar", token, new JsonObject().put("attachment_id", sent.getLong("id")))
        .problem(409, "CONFLICT");
    api.call("clearAvatar", DELETE, "/users/me/avatar", token, null).expect(200);
    api.call("clearAvatar", DELETE, "/users/me/avatar", null, null).problem(401, "UNAUTHORIZED");
    api.record("getAvatar", api.fetch(GET, avatar, null, Map.of())).problem(404, "NOT_FOUND");
  }
}
