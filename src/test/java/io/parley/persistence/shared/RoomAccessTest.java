package io.parley.persistence.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The one visibility rule ({@link RoomAccess}) against rows in the real PostgreSQL. */
@DisplayName("Who may see and act in a room")
@ExtendWith(ClusterExtension.class)
class RoomAccessTest {
  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void setUp(TestCluster cluster) {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
  }

  @AfterEach
  void tearDown() {
    Api.await(pool.close());
    Api.await(vertx.close());
  }

  private long user() {
    String name = "ra_" + UUID.randomUUID().toString().substring(0, 12);
    return Api.await(pool.preparedQuery("INSERT INTO users (email, username, password_hash) VALUES ($1, $2, 'x') RETURNING id")
        .execute(Tuple.of(name + "@example.test", name))).iterator().next().getLong("id");
  }

  private long room(String kind, boolean isPrivate, Long owner, long... members) {
    long id = Api.await(pool.preparedQuery("INSERT INTO rooms (kind, name, is_private, owner_id, direct_key) "
            + "VALUES ($1, 'r', $2, $3, $4) RETURNING id")
        .execute(Tuple.of(kind, isPrivate, owner, kind.equals("direct") ? UUID.randomUUID().toString() : null)))
        .iterator().next().getLong("id");
    for (long m : members) {
      Api.await(pool.preparedQuery("INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3)")
          .execute(Tuple.of(id, m, owner != null && owner == m ? "owner" : "member")));
    }
    return id;
  }

  private static ErrorCode refusal(Future<?> f) {
    Throwable err = f.toCompletionStage().toCompletableFuture().handle((v, e) -> e).join();
    Throwable cause = err instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : err;
    return cause instanceof ParleyException pe ? pe.code() : null;
  }

  @Test
  @DisplayName("members see their rooms; everyone sees public group rooms; private rooms and conversations are not found by strangers")
  void visibility() {
    long owner = user();
    long member = user();
    long stranger = user();
    long publicRoom = room("group", false, owner, owner, member);
    long privateRoom = room("group", true, owner, owner, member);
    long direct = room("direct", false, null, owner, member);

    RoomAccess.Access asMember = Api.await(RoomAccess.of(pool, privateRoom, member, false));
    assertTrue(asMember.member() && asMember.visible());
    assertEquals("member", asMember.role());
    RoomAccess.Access publicStranger = Api.await(RoomAccess.of(pool, publicRoom, stranger, false));
    assertFalse(publicStranger.member());
    assertTrue(publicStranger.visible(), "a public group room is visible to anyone");
    assertEquals(ErrorCode.FORBIDDEN, publicStranger.notMember().code(), "visible, but not theirs: FORBIDDEN");
    for (long hidden : new long[] {privateRoom, direct}) {
      RoomAccess.Access a = Api.await(RoomAccess.of(pool, hidden, stranger, false));
      assertFalse(a.visible());
      assertEquals(ErrorCode.NOT_FOUND, a.notMember().code(), "not revealed by its id");
      assertEquals(ErrorCode.NOT_FOUND, refusal(RoomAccess.requireMember(pool, hidden, stranger, false)));
    }
    assertEquals(ErrorCode.NOT_FOUND, refusal(RoomAccess.of(pool, Long.MAX_VALUE, owner, false)), "no such room");
    assertEquals(ErrorCode.FORBIDDEN, refusal(RoomAccess.requireMember(pool, publicRoom, stranger, false)));
    assertTrue(RoomAccess.visible("group", false, false) && !RoomAccess.visible("direct", false, false)
        && RoomAccess.visible("direct", false, true));
  }

  @Test
  @DisplayName("only a group room's owner owns it; conversations have no owner")
  void ownership() {
    long owner = user();
    long member = user();
    long group = room("group", false, owner, owner, member);
    long direct = room("direct", false, null, owner, member);
    assertEquals("owner", Api.await(pool.withTransaction(c -> RoomAccess.requireOwner(c, group, owner))).role());
    assertEquals(ErrorCode.FORBIDDEN, refusal(pool.withTransaction(c -> RoomAccess.requireOwner(c, group, member))));
    assertEquals(ErrorCode.FORBIDDEN, refusal(pool.withTransaction(c -> RoomAccess.requireOwner(c, direct, owner))));
  }
}
