package io.parley.media;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.Media;
import io.parley.support.MediaFixtures;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Attachments and avatars across two nodes")
class AttachmentsTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api a;
  private Api b;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort());
  }

  private static String token(JsonObject user) {
    return user.getString("access_token");
  }

  private JsonObject upload(JsonObject user, String name, String claimed, byte[] bytes) {
    return a.upload(token(user), name, claimed, bytes).expect(201).json();
  }

  @Test
  @DisplayName("types come from the bytes: PNG, JPEG with its EXIF rotation, PDF; thumbnails of 320 px at most; HTML named .png is refused")
  void detectedTypesSizesAndThumbnails() {
    JsonObject ann = a.newUser("ann");
    byte[] png = Media.png(64, 48);
    JsonObject small = upload(ann, "small.png", "image/png", png);
    assertEquals("image", small.getString("kind"));
    assertEquals("image/png", small.getString("content_type"));
    assertEquals(png.length, small.getLong("size"));
    assertEquals("small.png", small.getString("name"));
    assertEquals(64, small.getInteger("width"));
    assertEquals(48, small.getInteger("height"));
    assertNull(small.getValue("duration_ms"));
    Api.Resp bytes = a.fetch(GET, small.getString("url"), null, Map.of()).expect(200);
    assertArrayEquals(png, bytes.body().getBytes(), "the stored bytes are the uploaded ones");
    assertEquals("image/png", bytes.headers().get("Content-Type"));
    assertEquals(Integer.toString(png.length), bytes.headers().get("Content-Length"));
    assertEquals("nosniff", bytes.headers().get("X-Content-Type-Options"));
    assertTrue(bytes.headers().get("Content-Security-Policy").contains("sandbox"));
    assertTrue(bytes.headers().get("Content-Disposition").startsWith("inline"), bytes.headers().get("Content-Disposition"));
    assertArrayEquals(new int[] {64, 48}, Media.size(a.fetch(GET, small.getString("thumbnail_url"), null, Map.of())
        .expect(200).body().getBytes()), "a small image is not scaled up");

    JsonObject large = upload(ann, "large.png", "image/png", Media.png(1000, 500));
    assertArrayEquals(new int[] {320, 160}, Media.size(a.fetch(GET, large.getString("thumbnail_url"), null, Map.of())
        .expect(200).body().getBytes()), "longest side 320, aspect kept");

    JsonObject rotated = upload(ann, "photo.jpg", "image/jpeg", MediaFixtures.withExifOrientation(Media.jpeg(400, 200), 6));
    assertEquals("image/jpeg", rotated.getString("content_type"));
    assertEquals(200, rotated.getInteger("width"), "EXIF orientation 6 turns 400x200 into 200x400");
    assertEquals(400, rotated.getInteger("height"));
    assertArrayEquals(new int[] {160, 320}, Media.size(a.fetch(GET, rotated.getString("thumbnail_url"), null, Map.of())
        .expect(200).body().getBytes()), "the thumbnail is upright");

    JsonObject voice = upload(ann, "voice.webm", "video/webm", MediaFixtures.webm(2500.0, 2));
    assertEquals("audio", voice.getString("kind"), "a WebM with only an Opus track is a recording");
    assertEquals("audio/webm", voice.getString("content_type"));
    assertEquals(2500, voice.getLong("duration_ms"));
    assertNull(voice.getValue("thumbnail_url"));
    assertTrue(a.fetch(GET, voice.getString("url"), null, Map.of()).expect(200).headers().get("Content-Disposition")
        .startsWith("inline"), "audio plays inline");
    JsonObject ogg = upload(ann, "voice.ogg", "audio/ogg", MediaFixtures.oggOpus(312, 96_312));
    assertEquals("audio/ogg", ogg.getString("content_type"));
    assertEquals(2000, ogg.getLong("duration_ms"));

    JsonObject pdf = upload(ann, "report.pdf", "application/octet-stream", Media.pdf());
    assertEquals("file", pdf.getString("kind"));
    assertEquals("application/pdf", pdf.getString("content_type"));
    assertNull(pdf.getValue("thumbnail_url"));
    assertNull(pdf.getValue("width"));
    Api.Resp pdfBytes = a.fetch(GET, pdf.getString("url"), null, Map.of()).expect(200);
    assertTrue(pdfBytes.headers().get("Content-Disposition").startsWith("attachment"), "never inline but images and audio");

    a.upload(token(ann), "cute.png", "image/png", Media.html()).problem(415, "UNSUPPORTED_MEDIA_TYPE");
    a.upload(token(ann), "cat.png", "image/png", MediaFixtures.pngClaiming(50_000, 50_000)).problem(413, "PAYLOAD_TOO_LARGE");
    a.upload(null, "small.png", "image/png", png).problem(401, "UNAUTHORIZED");
  }

  @Test
  @DisplayName("an upload past media.max_bytes is refused with 413 from its Content-Length, before its body is sent")
  void oversizeRefusedUnread() {
    JsonObject ann = a.newUser("ann");
    String boundary = "xyz";
    long declared = 10L * 1024 * 1024 + 200_000;
    String head = "POST /api/v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + token(ann) + "\r\n"
        + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + declared + "\r\n\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n";
    // only the head and a few bytes are sent, and the socket stays open: the answer cannot depend on reading the rest
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cluster.a().apiPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((head + "0123456789").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      StringBuilder answer = new StringBuilder();
      java.io.InputStream in = socket.getInputStream();
      for (int c; answer.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0; ) {
        answer.append((char) c);
      }
      assertTrue(answer.toString().startsWith("HTTP/1.1 413"), answer.toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("a message with attachments reaches a member on the other node, who can fetch them; ranges work; others get 404")
  void attachmentsAcrossNodes() {
    JsonObject ann = a.newUser("ann");
    JsonObject bob = a.newUser("bob");
    JsonObject eve = a.newUser("eve");
    long room = a.sharedRoom(ann, bob);
    byte[] png = Media.png(120, 80);
    byte[] pdf = Media.pdf();
    JsonObject image = upload(ann, "pic.png", "image/png", png);
    JsonObject doc = upload(ann, "doc.pdf", "application/pdf", pdf);

    try (Ws annA = Ws.open(vertx, cluster.a().gatewayPort(), token(ann));
         Ws bobB = Ws.open(vertx, cluster.b().gatewayPort(), token(bob));
         Ws bobIdle = Ws.open(vertx, cluster.a().gatewayPort(), token(bob)).watching("notification")) {
      assertEquals("subscribed", bobB.request(new JsonObject().put("type", "subscribe").put("room_id", room)).getString("type"));
      JsonObject ack = annA.request(new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", "m1")
          .put("attachment_ids", new JsonArray().add(image.getLong("id")).add(doc.getLong("id"))));
      assertEquals("message.ack", ack.getString("type"), ack.encode());
      JsonObject sent = ack.getJsonObject("message");
      assertEquals("", sent.getString("body"), "a message of attachments only");
      JsonObject created = bobB.next("message.created").getJsonObject("message");
      JsonArray attachments = created.getJsonArray("attachments");
      assertEquals(2, attachments.size());
      assertEquals(image.getLong("id"), attachments.getJsonObject(0).getLong("id"), "in the order sent");
      assertEquals("doc.pdf", attachments.getJsonObject(1).getString("name"));
      JsonArray notified = bobIdle.next("notification").getJsonObject("message").getJsonArray("attachments");
      assertEquals(2, notified.size(), "a socket not in the room is notified with the attachments");
      a.fetch(GET, notified.getJsonObject(0).getString("thumbnail_url"), null, Map.of()).expect(200);

      // bob fetches them on node B by the URLs the event carried
      String url = attachments.getJsonObject(0).getString("url");
      assertArrayEquals(png, b.fetch(GET, url, null, Map.of()).expect(200).body().getBytes());
      assertArrayEquals(pdf, b.fetch(GET, attachments.getJsonObject(1).getString("url"), null, Map.of()).expect(200).body().getBytes());
      // and with his token, without a signature
      b.fetch(GET, "/api/v1/attachments/" + image.getLong("id") + "/content", token(bob), Map.of()).expect(200);
      assertEquals(image.getLong("id"), b.call("getAttachment", GET, "/attachments/" + image.getLong("id"), token(bob), null)
          .expect(200).json().getLong("id"));

      // ranges, for seeking
      Api.Resp part = b.fetch(GET, url, null, Map.of("Range", "bytes=10-19")).expect(206);
      assertArrayEquals(Arrays.copyOfRange(png, 10, 20), part.body().getBytes());
      assertEquals("bytes 10-19/" + png.length, part.headers().get("Content-Range"));
      Api.Resp tail = b.fetch(GET, url, null, Map.of("Range", "bytes=-5")).expect(206);
      assertArrayEquals(Arrays.copyOfRange(png, png.length - 5, png.length), tail.body().getBytes());
      Api.Resp beyond = b.fetch(GET, url, null, Map.of("Range", "bytes=" + png.length + "-"));
      assertEquals(416, beyond.status());
      assertEquals("bytes */" + png.length, beyond.headers().get("Content-Range"));
      String etag = b.fetch(GET, url, null, Map.of()).headers().get("ETag");
      assertEquals(304, b.fetch(GET, url, null, Map.of("If-None-Match", etag)).status());

      // eve is no member: her token reads nothing, a forged or expired signature neither
      b.call("getAttachment", GET, "/attachments/" + image.getLong("id"), token(eve), null).problem(404, "NOT_FOUND");
      b.fetch(GET, "/api/v1/attachments/" + image.getLong("id") + "/content", token(eve), Map.of()).problem(404, "NOT_FOUND");
      b.fetch(GET, url.replaceAll("sig=[^&]+", "sig=AAAA"), null, Map.of()).problem(404, "NOT_FOUND");
      b.fetch(GET, url.replace("/" + image.getLong("id") + "/", "/" + doc.getLong("id") + "/"), null, Map.of()).problem(404, "NOT_FOUND");
      SignedUrls keys = SignedUrls.derive(cluster.jwtSecret());
      String expired = keys.url(image.getLong("id"), "content", System.currentTimeMillis() / 1000 - 3 * 3600);
      b.fetch(GET, expired, null, Map.of()).problem(404, "NOT_FOUND");
      b.fetch(GET, "/api/v1/attachments/" + image.getLong("id") + "/content", null, Map.of()).problem(401, "UNAUTHORIZED");

      // every shape carries them: history and a replay from before the message, with URLs that work
      JsonObject inHistory = b.history(bob, room, "").getJsonArray("items").getJsonObject(0);
      assertEquals(2, inHistory.getJsonArray("attachments").size());
      b.fetch(GET, inHistory.getJsonArray("attachments").getJsonObject(0).getString("thumbnail_url"), null, Map.of()).expect(200);
      try (Ws bobAgain = Ws.open(vertx, cluster.a().gatewayPort(), token(bob))) {
        bobAgain.send(new JsonObject().put("type", "subscribe").put("room_id", room).put("since_seq", sent.getLong("seq") - 1));
        JsonObject replayed = bobAgain.next("message.created").getJsonObject("message");
        assertEquals(2, replayed.getJsonArray("attachments").size());
        b.fetch(GET, replayed.getJsonArray("attachments").getJsonObject(1).getString("url"), null, Map.of()).expect(200);
      }
      JsonObject listed = b.call("listRooms", GET, "/rooms", token(bob), null).expect(200).json().getJsonArray("items").stream()
          .map(JsonObject.class::cast).filter(r -> r.getLong("id") == room).findFirst().orElseThrow();
      assertEquals(2, listed.getJsonObject("last_message").getJsonArray("attachments").size(), "last_message carries them");

      // an upload is used once; others' uploads cannot be sent
      JsonObject again = annA.request(new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", "m2")
          .put("body", "again").put("attachment_ids", new JsonArray().add(image.getLong("id"))));
      assertEquals("CONFLICT", again.getString("code"), again.encode());
      JsonObject evesUpload = upload(eve, "e.png", "image/png", png);
      a.call("sendMessage", POST, "/rooms/" + room + "/messages", token(ann),
              new JsonObject().put("attachment_ids", new JsonArray().add(evesUpload.getLong("id"))))
          .problem(404, "NOT_FOUND");
      // a retried send answers the original, attachments included
      JsonObject retried = annA.request(new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", "m1")
          .put("attachment_ids", new JsonArray().add(image.getLong("id")).add(doc.getLong("id"))));
      assertEquals(true, retried.getBoolean("duplicate"));
      assertEquals(sent.getLong("id"), retried.getJsonObject("message").getLong("id"));
      assertEquals(2, retried.getJsonObject("message").getJsonArray("attachments").size());

      // deleting the message takes its attachments out of view
      a.call("deleteMessage", DELETE, "/messages/" + sent.getLong("id"), token(ann), null).expect(204);
      assertTrue(b.history(bob, room, "").getJsonArray("items").getJsonObject(0).getJsonArray("attachments").isEmpty());
      b.fetch(GET, url, null, Map.of()).problem(404, "NOT_FOUND");
    }
  }

  @Test
  @DisplayName("the sweep removes uploads no message carries once old enough, and keeps those in messages and avatars")
  void sweepRemovesUnattached() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    JsonObject loose = upload(ann, "loose.png", "image/png", Media.png(10, 10));
    JsonObject sent = upload(ann, "sent.png", "image/png", Media.png(10, 10));
    JsonObject face = upload(ann, "face.png", "image/png", Media.png(10, 10));
    a.call("sendMessage", POST, "/rooms/" + room + "/messages", token(ann),
        new JsonObject().put("attachment_ids", new JsonArray().add(sent.getLong("id")))).expect(201);
    a.call("setAvatar", PUT, "/users/me/avatar", token(ann), new JsonObject().put("attachment_id", face.getLong("id"))).expect(200);

    JsonObject kept = Api.await(cluster.a().node().vertx().eventBus().<JsonObject>request(
        io.parley.bus.Addresses.ATTACHMENTS_SWEEP, new JsonObject().put("older_than_s", 3600).put("limit", 500))).body();
    assertTrue(kept.getJsonArray("removed").stream().noneMatch(r -> ((JsonObject) r).getLong("id").equals(loose.getLong("id"))),
        "younger than the TTL: kept");
    JsonObject swept = Api.await(cluster.a().node().vertx().eventBus().<JsonObject>request(
        io.parley.bus.Addresses.ATTACHMENTS_SWEEP, new JsonObject().put("older_than_s", 0).put("limit", 500))).body();
    assertTrue(swept.getJsonArray("removed").stream().anyMatch(r -> ((JsonObject) r).getLong("id").equals(loose.getLong("id"))));
    a.call("getAttachment", GET, "/attachments/" + loose.getLong("id"), token(ann), null).problem(404, "NOT_FOUND");
    a.call("getAttachment", GET, "/attachments/" + sent.getLong("id"), token(ann), null).expect(200);
    a.call("getAttachment", GET, "/attachments/" + face.getLong("id"), token(ann), null).expect(200);
  }

  @Test
  @DisplayName("sends are checked: ten attachments at most, no empty body without them, ids must be numbers")
  void sendValidation() {
    JsonObject ann = a.newUser("ann");
    long room = a.newRoom(ann, false).getLong("id");
    JsonArray eleven = new JsonArray();
    for (long i = 1; i <= 11; i++) {
      eleven.add(i);
    }
    a.call("sendMessage", POST, "/rooms/" + room + "/messages", token(ann), new JsonObject().put("attachment_ids", eleven))
        .problem(400, "VALIDATION_FAILED");
    a.call("sendMessage", POST, "/rooms/" + room + "/messages", token(ann), new JsonObject().put("body", ""))
        .problem(400, "VALIDATION_FAILED");
    try (Ws ws = Ws.open(vertx, cluster.a().gatewayPort(), token(ann))) {
      JsonObject bad = ws.request(new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", "x")
          .put("attachment_ids", new JsonArray().add("one")));
      assertEquals("VALIDATION_FAILED", bad.getString("code"));
      ws.assertUsable();
    }
  }

  @Test
  @DisplayName("an avatar is set from an upload, shows in member lists and is served publicly; cleared, its URL stops working")
  void avatars() {
    JsonObject ann = a.newUser("ann");
    JsonObject bob = a.newUser("bob");
    long room = a.sharedRoom(ann, bob);
    JsonObject pic = upload(ann, "me.png", "image/png", Media.png(600, 600));
    JsonObject me = a.call("setAvatar", PUT, "/users/me/avatar", token(ann), new JsonObject().put("attachment_id", pic.getLong("id")))
        .expect(200).json();
    String avatar = me.getString("avatar_url");
    assertNotNull(avatar);
    assertArrayEquals(new int[] {320, 320}, Media.size(b.fetch(GET, avatar, null, Map.of()).expect(200).body().getBytes()));
    JsonObject member = b.call("listMembers", GET, "/rooms/" + room + "/members", token(bob), null).expect(200).json()
        .getJsonArray("items").stream().map(JsonObject.class::cast).filter(m -> m.getLong("user_id").equals(ann.getLong("id")))
        .findFirst().orElseThrow();
    assertEquals(avatar, member.getString("avatar_url"));
    assertEquals(avatar, a.call("getMe", GET, "/users/me", token(ann), null).expect(200).json().getString("avatar_url"));

    JsonObject other = upload(ann, "other.png", "image/png", Media.png(50, 50));
    // a multipart upload in the PUT works as well
    Media.Multipart mp = Media.multipart("file", "new.jpg", "image/jpeg", Media.jpeg(100, 50));
    String second = a.call("setAvatar", PUT, "/users/me/avatar", token(ann), mp.body(), Map.of("Content-Type", mp.contentType()))
        .expect(200).json().getString("avatar_url");
    assertTrue(!second.equals(avatar));
    b.fetch(GET, avatar, null, Map.of()).problem(404, "NOT_FOUND");
    a.call("setAvatar", PUT, "/users/me/avatar", token(bob), new JsonObject().put("attachment_id", other.getLong("id")))
        .problem(404, "NOT_FOUND");
    JsonObject cleared = a.call("clearAvatar", DELETE, "/users/me/avatar", token(ann), null).expect(200).json();
    assertNull(cleared.getValue("avatar_url"));
    b.fetch(GET, second, null, Map.of()).problem(404, "NOT_FOUND");
  }
}
