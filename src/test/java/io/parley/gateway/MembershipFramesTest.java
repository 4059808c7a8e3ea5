package io.parley.gateway;

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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Being added to a room reaches the added user's sockets at once (issue 18): they follow no
 * stream of the room yet, so the room's {@code member.joined} cannot tell them; every socket of
 * theirs, on every node, gets {@code membership.added} with the room as they see it.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("membership.added")
class MembershipFramesTest {

  @Test
  @DisplayName("a user added to a private room gets membership.added on every socket, on both nodes, at once, then follows the room")
  void addedMemberLearnsOfTheRoom(Vertx vertx, TestCluster cluster) {
    Api a = new Api(vertx, cluster.a().apiPort());
    Api b = new Api(vertx, cluster.b().apiPort(), a.exercised());
    JsonObject owner = a.newUser("adder");
    JsonObject guest = a.newUser("added");
    JsonObject room = a.newRoom(owner, true);
    long roomId = room.getLong("id");
    try (Ws onA = Ws.open(vertx, cluster.a().gatewayPort(), guest.getString("access_token"));
         Ws onB = Ws.open(vertx, cluster.b().gatewayPort(), guest.getString("access_token"));
         Ws ownerWs = Ws.open(vertx, cluster.a().gatewayPort(), owner.getString("access_token"))) {
      b.call("addMember", POST, "/rooms/" + roomId + "/members", owner.getString("access_token"),
          new JsonObject().put("user_id", guest.getLong("id"))).expect(201);

      for (Ws ws : new Ws[] {onA, onB}) {
        JsonObject added = ws.next("membership.added");
        assertEquals(roomId, added.getLong("room_id"));
        JsonObject seen = added.getJsonObject("room");
        assertEquals(room.getString("name"), seen.getString("name"));
        assertTrue(seen.getBoolean("is_private"));
        assertEquals("member", seen.getString("role"), "the room as the added user sees it");
        assertEquals(2, seen.getInteger("member_count"));
        assertEquals(new JsonObject().put("user_id", owner.getLong("id")).put("username", owner.getString("username")),
            added.getJsonObject("added_by"));
        assertTrue(!added.containsKey("seq"), "no seq: not a room event");
      }
      ownerWs.send(new JsonObject().put("type", "ping"));
      ownerWs.next("pong"); // the owner, already a member, got nothing before it

      // the added member can follow the room from there
      assertEquals("subscribed", onB.request(new JsonObject().put("type", "subscribe").put("room_id", roomId)).getString("type"));
      a.send(owner, roomId, "welcome aboard");
      assertEquals("welcome aboard", onB.next("message.created").getJsonObject("message").getString("body"));
    }
  }
}
