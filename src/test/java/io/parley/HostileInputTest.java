package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Media;
import io.parley.support.MediaFixtures;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hostile users against the guarantees and the privacy of others, on two clustered nodes. */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Hostile users against other users")
class HostileInputTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api api;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.api = new Api(vertx, cluster.a().apiPort());
  }

  @Test
  @DisplayName("sends with text PostgreSQL cannot store fail alone while three others chat on both nodes: nothing else refused, seqs gap-free")
  void poisonSendsAmongOthers() throws Exception {
    int perUser = 100;
    JsonObject poisoner = api.newUser("poisoner");
    long poisonRoom = api.newRoom(poisoner, false).getLong("id");
    JsonObject[] users = new JsonObject[3];
    long[] rooms = new long[3];
    for (int i = 0; i < 3; i++) {
      users[i] = api.newUser("chatter" + i);
      rooms[i] = api.newRoom(users[i], false).getLong("id");
    }
    TestCluster.Node[] nodes = {cluster.a(), cluster.b(), cluster.a()};
    List<Ws> sockets = new ArrayList<>();
    try (Ws evil = Ws.open(vertx, cluster.b().gatewayPort(), poisoner.getString("access_token"))) {
      for (int i = 0; i < 3; i++) {
        sockets.add(Ws.open(vertx, nodes[i].gatewayPort(), users[i].getString("access_token")));
      }
      // JSON escapes as a client would send them (a lone surrogate has no UTF-8 form, only \\u escapes)
      String[] poisons = {"nul \\u0000 inside", "\\u0000", "lone \\ud800 surrogate", "tail \\udc00"};
      CompletableFuture<Void> poisoning = CompletableFuture.runAsync(() -> {
        for (int k = 0; k < perUser; k++) { // interleaved with the others' sends, over WS and HTTP
          evil.sendRaw("{\"type\":\"message.send\",\"room_id\":" + poisonRoom + ",\"client_msg_id\":\"p" + k
              + "\",\"body\":\"" + poisons[k % poisons.length] + "\",\"ref\":\"p" + k + "\"}");
          if (k % 10 == 0) {
            api.call("sendMessage", HttpMethod.POST, "/rooms/" + poisonRoom + "/messages", poisoner.getString("access_token"),
                "{\"body\":\"" + poisons[k % poisons.length] + "\"}").problem(400, "VALIDATION_FAILED");
          }
        }
      });
      for (int k = 0; k < perUser; k++) { // back to back: they share group commits with the poison
        for (int i = 0; i < 3; i++) {
          sockets.get(i).send(new JsonObject().put("type", "message.send").put("room_id", rooms[i])
              .put("client_msg_id", "m" + k).put("body", "message " + k).put("ref", "m" + k));
        }
      }
      poisoning.get();
      for (int i = 0; i < 3; i++) {
        java.util.Set<Long> seqs = new java.util.TreeSet<>();
        for (JsonObject ack : answers(sockets.get(i), "m", perUser).values()) {
          assertEquals("message.ack", ack.getString("type"), "another user's send is never refused: " + ack.encode());
          seqs.add(ack.getLong("seq"));
        }
        // unacknowledged sends of one socket may be stored by either node's persistence, so
        // their order is not fixed; their seqs are 1..100, each once
        assertEquals(java.util.stream.LongStream.rangeClosed(1, perUser).boxed().toList(), new ArrayList<>(seqs),
            "room " + i + ": gap-free seqs");
      }
      for (JsonObject refused : answers(evil, "p", perUser).values()) {
        assertEquals("error", refused.getString("type"));
        assertEquals("VALIDATION_FAILED", refused.getString("code"));
        assertEquals("body", refused.getJsonObject("details").getString("field"));
      }
    } finally {
      sockets.forEach(Ws::close);
    }
    for (int i = 0; i < 3; i++) {
      JsonObject page = api.history(users[i], rooms[i], "?limit=100");
      assertEquals(perUser, page.getJsonArray("items").size());
      assertEquals((long) perUser, page.getLong("last_seq"));
    }
    assertEquals(0L, api.history(poisoner, poisonRoom, "").getLong("last_seq"), "nothing of the poison was stored");
  }

  @Test
  @DisplayName("hostile uploads and attachment sends fail alone while another user uploads and sends pictures on both nodes")
  void hostileUploadsAmongOthers() throws Exception {
    JsonObject mallory = api.newUser("mallory");
    JsonObject alice = api.newUser("alice");
    long room = api.newRoom(alice, false).getLong("id");
    long malloryRoom = api.newRoom(mallory, false).getLong("id");
    String evil = mallory.getString("access_token");
    Api b = new Api(vertx, cluster.b().apiPort());
    JsonObject alicesUpload = api.upload(alice.getString("access_token"), "mine.png", "image/png", Media.png(20, 20)).expect(201).json();
    byte[] truncated = java.util.Arrays.copyOf(Media.png(200, 200), 60);
    CompletableFuture<Void> attacking = CompletableFuture.runAsync(() -> {
      for (int k = 0; k < 20; k++) {
        Api on = k % 2 == 0 ? api : b;
        on.upload(evil, "x" + k + ".png", "image/png", Media.html()).problem(415, "UNSUPPORTED_MEDIA_TYPE");
        on.upload(evil, "bomb.png", "image/png", MediaFixtures.pngClaiming(60_000, 60_000)).problem(413, "PAYLOAD_TOO_LARGE");
        on.upload(evil, "bad\u0000name.png", "image/png", truncated).problem(400, "VALIDATION_FAILED"); // pixels cut short
        if (k % 5 == 0) { // each takes the server a second and a half to tell
          Media.Multipart broken = Media.multipart("file", "a.png", "image/png", Media.png(4, 4));
          Buffer cut = broken.body().getBuffer(0, broken.body().length() - 20); // no closing boundary
          on.call("uploadAttachment", HttpMethod.POST, "/attachments", evil, cut, Map.of("Content-Type", broken.contentType()))
              .problem(400, "VALIDATION_FAILED");
        }
        on.call("sendMessage", HttpMethod.POST, "/rooms/" + malloryRoom + "/messages", evil,
            new JsonObject().put("attachment_ids", new io.vertx.core.json.JsonArray().add(alicesUpload.getLong("id"))))
            .problem(404, "NOT_FOUND");
      }
    });
    List<Long> sent = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      Api on = k % 2 == 0 ? b : api;
      JsonObject picture = on.upload(alice.getString("access_token"), "p" + k + ".png", "image/png", Media.png(30 + k, 20))
          .expect(201).json();
      sent.add(on.call("sendMessage", HttpMethod.POST, "/rooms/" + room + "/messages", alice.getString("access_token"),
          new JsonObject().put("body", "picture " + k).put("attachment_ids", new io.vertx.core.json.JsonArray().add(picture.getLong("id"))))
          .expect(201).json().getJsonArray("attachments").getJsonObject(0).getLong("width"));
    }
    attacking.get();
    assertEquals(java.util.stream.LongStream.range(30, 50).boxed().toList(), sent, "every picture stored with its own size");
    assertEquals(0L, api.history(mallory, malloryRoom, "").getLong("last_seq"), "nothing of the attack was stored");
  }

  @Test
  @DisplayName("user search matches usernames and names, and an e-mail address only whole: prefixes reveal nothing")
  void searchDoesNotRevealAddresses() {
    JsonObject seeker = api.newUser("seeker");
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String email = "hidden.person." + tag + "@example.test";
    JsonObject target = api.call("register", HttpMethod.POST, "/auth/register", null, new JsonObject()
        .put("email", email).put("username", "quiet_" + tag).put("first_name", "Zelda" + tag).put("password", "correct horse"))
        .expect(201).json();
    String token = seeker.getString("access_token");
    for (String prefix : new String[] {"hidden.person." + tag, "hidden.person." + tag + "@", email.substring(0, email.length() - 1)}) {
      JsonObject found = api.call("searchUsers", HttpMethod.GET, "/users?q=" + prefix, token, null).expect(200).json();
      assertFalse(found.getJsonArray("items").stream().anyMatch(u -> ((JsonObject) u).getLong("id").equals(target.getLong("id"))),
          "an address prefix matches nothing: " + prefix);
    }
    for (String q : new String[] {email, email.toUpperCase(), "quiet_" + tag.substring(0, 4), "zelda" + tag}) {
      JsonObject found = api.call("searchUsers", HttpMethod.GET, "/users?q=" + q, token, null).expect(200).json();
      JsonObject hit = found.getJsonArray("items").stream().map(u -> (JsonObject) u)
          .filter(u -> u.getLong("id").equals(target.getLong("id"))).findFirst().orElse(null);
      assertNotNull(hit, "found by " + q);
      assertNull(hit.getString("email"), "results never show addresses");
    }
  }

  @Test
  @DisplayName("failing logins from one address cool that address down; the owner logs in from another")
  void lockoutIsNoWeapon() {
    JsonObject owner = api.newUser("owner");
    WebClient attacker = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(cluster.a().apiPort()).setLocalAddress("127.0.0.2"));
    JsonObject wrong = new JsonObject().put("email", owner.getString("email")).put("password", "not the password");
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 8; i++) {
      last = Api.await(attacker.post("/api/v1/auth/login").sendJsonObject(wrong));
      statuses.add(last.statusCode());
    }
    assertEquals(List.of(401, 401, 401, 401, 401, 429, 429, 429), statuses, "the attacker's address is cooled down");
    assertNotNull(last.getHeader("Retry-After"));
    JsonObject login = api.call("login", HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("email", owner.getString("email")).put("password", "correct horse")).expect(200).json();
    assertNotNull(login.getString("access_token"), "the owner, from another address, is not locked out");
  }

  @Test
  @DisplayName("presence is visible only to users who share a room; last_message only to members")
  void presenceAndLastMessagePrivacy() {
    JsonObject alice = api.newUser("alice");
    JsonObject roommate = api.newUser("roommate");
    JsonObject stranger = api.newUser("stranger");
    long roomId = api.sharedRoom(alice, roommate);
    api.send(alice, roomId, "members only");
    String ids = "/presence?user_ids=" + alice.getLong("id") + "," + stranger.getLong("id");
    JsonObject seenByRoommate = api.call("getPresence", HttpMethod.GET, ids, roommate.getString("access_token"), null)
        .expect(200).json();
    assertEquals(List.of(alice.getLong("id")), userIds(seenByRoommate), "a roommate sees alice, not the stranger");
    JsonObject seenByStranger = api.call("getPresence", HttpMethod.GET, ids, stranger.getString("access_token"), null)
        .expect(200).json();
    assertEquals(List.of(stranger.getLong("id")), userIds(seenByStranger), "a stranger sees only themselves");

    JsonObject asStranger = api.call("getRoom", HttpMethod.GET, "/rooms/" + roomId, stranger.getString("access_token"), null)
        .expect(200).json();
    assertNull(asStranger.getValue("last_message"), "no content for non-members of a public room");
    api.call("listMessages", HttpMethod.GET, "/rooms/" + roomId + "/messages", stranger.getString("access_token"), null)
        .problem(403, "FORBIDDEN");
    JsonObject asMember = api.call("getRoom", HttpMethod.GET, "/rooms/" + roomId, roommate.getString("access_token"), null)
        .expect(200).json();
    assertEquals("members only", asMember.getJsonObject("last_message").getString("body"));
  }

  @Test
  @DisplayName("an invitation never blocks the address's owner: registering takes the invited account over and retires the link")
  void invitationCannotSquatAnAddress() {
    JsonObject inviter = api.newUser("inviter");
    String email = "invitee." + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    JsonObject invited = api.call("inviteUser", HttpMethod.POST, "/users/invite", inviter.getString("access_token"),
        new JsonObject().put("email", email)).expect(201).json();
    JsonObject registered = api.call("register", HttpMethod.POST, "/auth/register", null, new JsonObject()
        .put("email", email).put("username", "owner_" + UUID.randomUUID().toString().substring(0, 6))
        .put("password", "my own password")).expect(201).json();
    assertEquals(invited.getLong("id"), registered.getLong("id"), "the invited account is the owner's now");
    assertEquals("active", registered.getString("status"));
    api.call("login", HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("email", email).put("password", "my own password")).expect(200);

    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try {
      String link = Api.await(pool.preparedQuery("SELECT params->>'token' AS token FROM mail_outbox "
          + "WHERE to_address = $1 AND template = 'invitation'").execute(Tuple.of(email))).iterator().next().getString("token");
      api.call("resetPassword", HttpMethod.POST, "/auth/password/reset", null,
          new JsonObject().put("token", link).put("new_password", "the inviter's choice")).problem(400, "TOKEN_USED");
    } finally {
      Api.await(pool.close());
    }
  }

  /** The replies to refs {@code prefix}0 … {@code prefix}(n-1), in whatever order they come. */
  private static Map<String, JsonObject> answers(Ws ws, String prefix, int n) {
    Map<String, JsonObject> byRef = new java.util.HashMap<>();
    while (byRef.size() < n) {
      JsonObject f = ws.next(x -> x.getValue("ref") instanceof String r && r.startsWith(prefix), "answers " + prefix + "*");
      byRef.put(f.getString("ref"), f);
    }
    return byRef;
  }

  private static List<Long> userIds(JsonObject presence) {
    return presence.getJsonArray("items").stream().map(i -> ((JsonObject) i).getLong("user_id")).sorted().toList();
  }
}
