package io.parley;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An owner leaves a room by handing it to another member ({@code POST /rooms/{id}/leave} with
 * {@code new_owner_id}, issue 18), across two clustered nodes: one transaction, then
 * {@code room.updated} with the new {@code owner_id} and {@code member.left} of the former owner,
 * in that order, on every subscribed socket of both nodes and in the stored stream.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Handing a room over as its owner leaves")
class RoomHandoverTest {
  private Vertx vertx;
  private TestCluster cluster;
  private Api a;
  private Api b;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort(), a.exercised());
  }

  private static String t(JsonObject user) {
    return user.getString("access_token");
  }

  private static JsonObject heir(JsonObject user) {
    return new JsonObject().put("new_owner_id", user.getLong("id"));
  }

  private static JsonObject subscribe(Ws ws, long roomId) {
    JsonObject reply = ws.request(new JsonObject().put("type", "subscribe").put("room_id", roomId));
    assertEquals("subscribed", reply.getString("type"), reply.encode());
    return reply;
  }

  private JsonObject room(Api api, JsonObject user, long roomId) {
    return api.call("getRoom", GET, "/rooms/" + roomId, t(user), null).expect(200).json();
  }

  /** user id → role of each member. */
  private java.util.Map<Long, String> roles(Api api, JsonObject viewer, long roomId) {
    return api.call("listMembers", GET, "/rooms/" + roomId + "/members", t(viewer), null).expect(200).json()
        .getJsonArray("items").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(m -> m.getLong("user_id"), m -> m.getString("role")));
  }

  @Test
  @DisplayName("the owner (node B) hands the room to a member: room.updated with the new owner_id, then member.left, on both nodes; the heir owns it, the former owner is out")
  void ownerHandsOverAndLeaves() {
    JsonObject owner = a.newUser("owner");
    JsonObject heir = a.newUser("heir");
    JsonObject other = a.newUser("other");
    long roomId = a.sharedRoom(owner, heir, other);
    try (Ws heirOnA = Ws.open(vertx, cluster.a().gatewayPort(), t(heir));
         Ws otherOnB = Ws.open(vertx, cluster.b().gatewayPort(), t(other));
         Ws ownerOnA = Ws.open(vertx, cluster.a().gatewayPort(), t(owner))) {
      long head = subscribe(heirOnA, roomId).getLong("last_seq");
      subscribe(otherOnB, roomId);
      subscribe(ownerOnA, roomId);

      b.call("leaveRoom", POST, "/rooms/" + roomId + "/leave", t(owner), heir(heir)).expect(204);

      for (Ws ws : List.of(heirOnA, otherOnB, ownerOnA)) {
        JsonObject updated = ws.next("room.updated");
        assertEquals(head + 1, updated.getLong("seq"));
        assertEquals(heir.getLong("id"), updated.getJsonObject("room").getLong("owner_id"), "the new owner");
        assertEquals(3, updated.getJsonObject("room").getInteger("member_count"), "the former owner is still in at this seq");
        JsonObject left = ws.next("member.left");
        assertEquals(head + 2, left.getLong("seq"));
        assertEquals(owner.getLong("id"), left.getLong("user_id"));
      }
      JsonObject unsubscribed = ownerOnA.next("unsubscribed");
      assertEquals("removed", unsubscribed.getString("reason"));

      // the heir owns the room, on either node; the former owner is no member any more
      JsonObject seen = room(a, heir, roomId);
      assertEquals("owner", seen.getString("role"));
      assertEquals(heir.getLong("id"), seen.getLong("owner_id"));
      assertEquals(2, seen.getInteger("member_count"));
      assertEquals(java.util.Map.of(heir.getLong("id"), "owner", other.getLong("id"), "member"), roles(b, other, roomId));
      b.call("updateRoom", PATCH, "/rooms/" + roomId, t(heir), new JsonObject().put("name", "renamed by the heir")).expect(200);
      assertEquals("renamed by the heir", otherOnB.next("room.updated").getJsonObject("room").getString("name"));
      a.call("updateRoom", PATCH, "/rooms/" + roomId, t(owner), new JsonObject().put("name", "not mine")).problem(403, "FORBIDDEN");
      assertEquals(null, room(a, owner, roomId).getString("role"), "a public room they see, no longer as a member");

      // both events are stored: a late subscriber is replayed them, in order, before the reply
      try (Ws late = Ws.open(vertx, cluster.b().gatewayPort(), t(other))) {
        late.send(new JsonObject().put("type", "subscribe").put("room_id", roomId).put("since_seq", head));
        List<JsonObject> replay = late.take(4);
        assertEquals(List.of("room.updated", "member.left", "room.updated", "subscribed"),
            replay.stream().map(f -> f.getString("type")).toList(), replay.toString());
        assertEquals(heir.getLong("id"), replay.get(0).getJsonObject("room").getLong("owner_id"));
        assertEquals(owner.getLong("id"), replay.get(1).getLong("user_id"));
      }
    }
  }

  @Test
  @DisplayName("refused, with nothing changed: the owner without an heir (409), an heir who is not a member, the owner or the assistant (400 new_owner_id), a member naming an heir (403)")
  void refusals() {
    JsonObject owner = a.newUser("owner");
    JsonObject member = a.newUser("member");
    JsonObject outsider = a.newUser("outsider");
    long roomId = a.sharedRoom(owner, member);
    long assistantId = a.call("getAssistant", GET, "/assistant", t(owner), null).expect(200).json().getLong("user_id");
    a.call("addMember", POST, "/rooms/" + roomId + "/members", t(owner), new JsonObject().put("user_id", assistantId)).expect(201);
    long head = room(a, owner, roomId).getLong("last_seq");
    String leave = "/rooms/" + roomId + "/leave";

    JsonObject conflict = b.call("leaveRoom", POST, leave, t(owner), null).problem(409, "CONFLICT").json();
    assertTrue(conflict.getString("detail").contains("hand the room to another member")
        && conflict.getString("detail").contains("delete it"), conflict.encode());
    b.call("leaveRoom", POST, leave, t(owner), new JsonObject()).problem(409, "CONFLICT");
    for (long notHeir : new long[] {outsider.getLong("id"), owner.getLong("id"), assistantId, 999_999_999L}) {
      JsonObject problem = b.call("leaveRoom", POST, leave, t(owner), new JsonObject().put("new_owner_id", notHeir))
          .problem(400, "VALIDATION_FAILED").json();
      assertEquals("new_owner_id", problem.getJsonObject("details").getString("field"), problem.encode());
    }
    b.call("leaveRoom", POST, leave, t(member), heir(owner)).problem(403, "FORBIDDEN");

    JsonObject after = room(a, owner, roomId);
    assertEquals("owner", after.getString("role"));
    assertEquals(owner.getLong("id"), after.getLong("owner_id"));
    assertEquals(head, after.getLong("last_seq"), "no event appended");
    assertEquals("member", roles(a, member, roomId).get(member.getLong("id")));

    // a plain member still leaves with no body, or with an empty one
    b.call("leaveRoom", POST, leave, t(member), new JsonObject()).expect(204);
  }
}
