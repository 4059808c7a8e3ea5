package io.parley.persistence.rooms;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.UserFrames;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.Pages;
import io.parley.persistence.shared.RoomAccess;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.parley.persistence.stream.RoomStream;
import io.vertx.pgclient.PgException;
import java.util.List;

/**
 * Rooms, their members and one-to-one conversations: create, list (mine, public), read, update,
 * delete, join, leave (the owner by handing the room to another member), add and remove members,
 * the one direct room of two users. Every change
 * a room's subscribers must see is appended to its stream in the same transaction
 * ({@link RoomStream#append}) and published after the commit. Access follows
 * {@link RoomAccess}.
 */
public final class RoomStore {
  private final Vertx vertx;
  private final Pool pool;
  private final RoomStream stream;
  private final io.parley.media.AttachmentJson attachments;

  /** @param vertx publishes {@code membership.added} to an added member's sockets ({@link UserFrames}) */
  public RoomStore(Vertx vertx, Pool pool, RoomStream stream, io.parley.media.AttachmentJson attachments) {
    this.vertx = vertx;
    this.pool = pool;
    this.stream = stream;
    this.attachments = attachments;
  }

  /** A room as handed out: its last message's attachments signed. */
  private JsonObject room(io.vertx.sqlclient.Row r) {
    JsonObject room = Rows.room(r);
    attachments.signMessage(room.getJsonObject("last_message"));
    return room;
  }

  public void register(Handlers h) {
    h.on(ROOMS_CREATE, this::createRoom);
    h.on(ROOMS_LIST_MINE, this::listMyRooms);
    h.on(ROOMS_LIST_PUBLIC, this::listPublicRooms);
    h.on(ROOMS_GET, this::getRoom);
    h.on(ROOMS_UPDATE, this::updateRoom);
    h.on(ROOMS_DELETE, this::deleteRoom);
    h.on(ROOMS_JOIN, this::joinRoom);
    h.on(ROOMS_LEAVE, this::leaveRoom);
    h.on(MEMBERS_LIST, this::listMembers);
    h.on(MEMBERS_ADD, this::addMember);
    h.on(MEMBERS_REMOVE, this::removeMember);
    h.on(MEMBERS_IDS, this::memberIds);
    h.on(CONVERSATIONS_OPEN, this::openConversation);
    h.on(ROOMS_OF_USER, this::roomsOfUser);
    h.on(USERS_SHARING_ROOM, this::usersSharingRoom);
  }

  /** {room_id} → {user_ids}: the members of a room (the gateways' notification cache). */
  private Future<JsonObject> memberIds(JsonObject b) {
    return pool.preparedQuery(RoomSql.MEMBER_IDS).execute(Tuple.of(b.getLong("room_id"))).map(rs -> {
      JsonArray ids = new JsonArray();
      rs.forEach(r -> ids.add(r.getLong("user_id")));
      return new JsonObject().put("user_ids", ids);
    });
  }

  private Future<JsonObject> roomFor(SqlClient client, long roomId, long userId) {
    return client.preparedQuery(RoomSql.ROOM_FOR_USER).execute(Tuple.of(roomId, userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("room"));
      }
      return Future.succeededFuture(room(rs.iterator().next()));
    });
  }

  private Future<JsonObject> createRoom(JsonObject b) {
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> conn.preparedQuery(RoomSql.ROOM_INSERT)
            .execute(Tuple.of("group", b.getString("name"), b.getString("description"),
                b.getBoolean("is_private", false), userId, null))
            .compose(rs -> {
              long roomId = rs.iterator().next().getLong("id");
              return conn.preparedQuery(RoomSql.MEMBER_INSERT).execute(Tuple.of(roomId, userId, "owner"))
                  .compose(x -> roomFor(conn, roomId, userId));
            }));
  }

  private Future<JsonObject> listMyRooms(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    return pool.preparedQuery(RoomSql.ROOMS_OF_USER).execute(Tuple.of(b.getLong("user_id"), Pages.cursorId(b), limit + 1))
        .map(rs -> Pages.page(rs, limit, this::room, r -> String.valueOf(r.getLong("id"))));
  }

  private Future<JsonObject> listPublicRooms(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    String q = b.getString("q");
    String pattern = q == null || q.isBlank() ? "%"
        : "%" + Pages.likeLiteral(q) + "%";
    return pool.preparedQuery(RoomSql.ROOMS_PUBLIC).execute(Tuple.of(pattern, b.getLong("user_id"), Pages.cursorId(b), limit + 1))
        .map(rs -> Pages.page(rs, limit, this::room, r -> String.valueOf(r.getLong("id"))));
  }

  private Future<JsonObject> getRoom(JsonObject b) {
    long userId = b.getLong("user_id");
    return roomFor(pool, b.getLong("room_id"), userId).compose(room -> {
      boolean visible = RoomAccess.visible(room.getString("kind"), room.getBoolean("is_private"), room.getString("role") != null);
      return visible ? Future.succeededFuture(room) : Future.failedFuture(ParleyException.notFound("room"));
    });
  }

  private Future<JsonObject> updateRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    boolean setDescription = b.containsKey("description");
    return pool.withTransaction(conn -> RoomAccess.requireOwner(conn, roomId, userId)
            .compose(a -> conn.preparedQuery(RoomSql.ROOM_UPDATE).execute(Tuple.of(roomId, b.getString("name"),
                setDescription, b.getString("description"), b.getBoolean("is_private"))))
            .compose(x -> roomFor(conn, roomId, userId))
            .compose(room -> stream.append(conn, roomId, "room.updated", null,
                seq -> RoomStream.frame("room.updated", roomId, seq).put("room", roomView(room, seq))))
            .compose(ev -> roomFor(conn, roomId, userId).map(room -> new RoomStream.Committed(room, ev))))
        .map(stream::publishAndUnwrap);
  }

  /** The room as carried in events: without the viewer's membership fields. */
  private static JsonObject roomView(JsonObject room, long seq) {
    JsonObject view = room.copy().put("last_seq", seq);
    view.remove("role");
    view.remove("last_read_seq");
    view.remove("peer");
    view.remove("last_event_at");
    view.remove("unread_count");
    view.remove("last_message");
    return view;
  }

  private Future<JsonObject> deleteRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> RoomAccess.requireOwnerOrModerator(conn, roomId, userId)
            .compose(moderating -> (moderating ? io.parley.persistence.admin.AdminStore.audit(conn, userId, "room.delete", "room",
                roomId, new JsonObject().put("room_id", roomId), null, b.getString("ip"), b.getString("request_id"))
                : Future.<Void>succeededFuture())
                .compose(x -> conn.preparedQuery(RoomSql.ROOM_DELETE).execute(Tuple.of(roomId)))))
        .map(rs -> {
          long seq = rs.iterator().next().getLong("last_seq") + 1;
          stream.publish(RoomStream.frame("room.deleted", roomId, seq)); // not stored: the stream is gone with the room
          return new JsonObject().put("room_id", roomId);
        });
  }

  private Future<JsonObject> joinRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> RoomAccess.of(conn, roomId, userId, true).compose(a -> {
          if (a.member()) {
            return Future.succeededFuture((RoomStream.Committed) null);
          }
          if (!a.visible()) {
            return Future.failedFuture(ParleyException.notFound("room")); // private: only the owner adds members
          }
          return addMemberTx(conn, roomId, userId);
        }).compose(c -> roomFor(conn, roomId, userId).map(room -> new RoomStream.Committed(room, c == null ? null : c.event()))))
        .map(stream::publishAndUnwrap);
  }

  /**
   * {room_id, user_id, new_owner_id?} → {room_id, user_id}: a member leaves ({@code member.left}).
   * The owner leaves only by handing the room to another member, {@code new_owner_id}: in the same
   * transaction that member becomes the owner ({@code room.updated} with the new {@code owner_id};
   * the former owner is a plain member from that seq on), then the former owner's membership ends
   * ({@code member.left}, the next seq). The owner without an heir gets CONFLICT (hand the room
   * over or delete it); an heir who is not a member, is the owner or is the assistant,
   * VALIDATION_FAILED; a member who names one, FORBIDDEN.
   */
  private Future<JsonObject> leaveRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    Long heir = b.getLong("new_owner_id");
    JsonObject[] handedOver = new JsonObject[1]; // the room.updated, published before the member.left
    return pool.withTransaction(conn -> RoomAccess.requireMember(conn, roomId, userId, true).compose(a -> {
          if (!a.kind().equals("group")) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "you cannot leave a one-to-one conversation"));
          }
          if (!"owner".equals(a.role())) {
            return heir == null ? removeMemberTx(conn, roomId, userId)
                : Future.failedFuture(ParleyException.forbidden("only the room owner can hand the room over"));
          }
          if (heir == null) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT,
                "the owner cannot just leave: hand the room to another member (new_owner_id) or delete it"));
          }
          return handOver(conn, roomId, userId, heir).compose(updated -> {
            handedOver[0] = updated;
            return removeMemberTx(conn, roomId, userId);
          });
        }))
        .map(c -> {
          if (handedOver[0] != null) {
            stream.publish(handedOver[0]);
          }
          return stream.publishAndUnwrap(c);
        });
  }

  /** Makes {@code heir}, a member, the owner in place of {@code owner}; appends the {@code room.updated} that tells it. */
  private Future<JsonObject> handOver(SqlConnection conn, long roomId, long owner, long heir) {
    if (heir == owner) {
      return Future.failedFuture(ParleyException.invalid("new_owner_id", "you own this room already: name another member"));
    }
    return conn.preparedQuery(RoomSql.MEMBER_IS_BOT).execute(Tuple.of(roomId, heir)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.invalid("new_owner_id", "the new owner must be a member of this room"));
      }
      if (rs.iterator().next().getBoolean("is_bot")) {
        return Future.failedFuture(ParleyException.invalid("new_owner_id", "the assistant cannot own a room"));
      }
      return conn.preparedQuery(RoomSql.MEMBER_ROLES_SWAP).execute(Tuple.of(roomId, heir, owner))
          .compose(x -> conn.preparedQuery(RoomSql.ROOM_OWNER_SET).execute(Tuple.of(roomId, heir)))
          .compose(x -> roomFor(conn, roomId, heir))
          .compose(room -> stream.append(conn, roomId, "room.updated", null,
              seq -> RoomStream.frame("room.updated", roomId, seq).put("room", roomView(room, seq))));
    });
  }

  private Future<JsonObject> listMembers(JsonObject b) {
    long roomId = b.getLong("room_id");
    int limit = b.getInteger("limit", 100);
    return RoomAccess.requireMember(pool, roomId, b.getLong("user_id"), false)
        .compose(a -> pool.preparedQuery(RoomSql.MEMBERS_OF_ROOM).execute(Tuple.of(roomId, Pages.cursorId(b), limit + 1)))
        .map(rs -> Pages.page(rs, limit, Rows::member, m -> String.valueOf(m.getLong("user_id"))));
  }

  /**
   * {room_id, user_id (the owner), target_user_id} → the new Member. After the commit: the room's
   * {@code member.joined}, and {@code membership.added} to every socket of the added user, who
   * follows no stream of the room yet ({@link #addedFrame}).
   */
  private Future<JsonObject> addMember(JsonObject b) {
    long roomId = b.getLong("room_id");
    long target = b.getLong("target_user_id");
    long owner = b.getLong("user_id");
    JsonObject[] added = new JsonObject[1];
    return pool.withTransaction(conn -> RoomAccess.requireOwner(conn, roomId, owner)
            .compose(a -> conn.preparedQuery(RoomSql.USER_EXISTS).execute(Tuple.of(target)))
            .compose(rs -> rs.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
                : addMemberTx(conn, roomId, target))
            .compose(c -> c == null
                ? Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "this user is already a member"))
                : addedFrame(conn, roomId, target, owner).compose(frame -> {
                  added[0] = frame;
                  return memberRow(conn, roomId, target).map(m -> new RoomStream.Committed(m, c.event()));
                })))
        .map(stream::publishAndUnwrap)
        .onSuccess(member -> UserFrames.publish(vertx.eventBus(), target, added[0]));
  }

  /**
   * The {@code membership.added} frame for {@code userId}, added to a room by {@code byId}:
   * {@code {type, room_id, room, added_by: {user_id, username}}}, the room as the added user sees
   * it (as {@code GET /rooms/{id}} answers them).
   */
  private Future<JsonObject> addedFrame(SqlConnection conn, long roomId, long userId, long byId) {
    return roomFor(conn, roomId, userId).compose(room -> conn.preparedQuery(RoomSql.USER_EXISTS).execute(Tuple.of(byId))
        .map(rs -> new JsonObject().put("type", "membership.added").put("room_id", roomId).put("room", room)
            .put("added_by", new JsonObject().put("user_id", byId)
                .put("username", rs.size() == 0 ? null : rs.iterator().next().getString("username")))));
  }

  private Future<JsonObject> removeMember(JsonObject b) {
    long roomId = b.getLong("room_id");
    long target = b.getLong("target_user_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> RoomAccess.requireOwnerOrModerator(conn, roomId, userId).compose(moderating -> {
          if (target == userId && !moderating) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "the owner cannot remove themselves"));
          }
          Future<Void> audited = !moderating ? Future.succeededFuture()
              : io.parley.persistence.admin.AdminStore.audit(conn, userId, "member.remove", "room", roomId,
                  new JsonObject().put("user_id", target), null, b.getString("ip"), b.getString("request_id"));
          return audited.compose(x -> removeMemberTx(conn, roomId, target));
        }))
        .map(stream::publishAndUnwrap);
  }

  /** Inserts the member and appends member.joined; null when they already were a member. */
  private Future<RoomStream.Committed> addMemberTx(SqlConnection conn, long roomId, long userId) {
    return conn.preparedQuery(RoomSql.MEMBER_INSERT).execute(Tuple.of(roomId, userId, "member")).compose(rs -> {
      if (rs.size() == 0) {
        return Future.succeededFuture(null);
      }
      return memberRow(conn, roomId, userId).compose(member -> stream.append(conn, roomId, "member.joined", null,
          seq -> RoomStream.frame("member.joined", roomId, seq).put("user_id", userId).put("member", member)))
          .map(ev -> new RoomStream.Committed(new JsonObject(), ev));
    });
  }

  private Future<RoomStream.Committed> removeMemberTx(SqlConnection conn, long roomId, long userId) {
    return conn.preparedQuery(RoomSql.MEMBER_DELETE).execute(Tuple.of(roomId, userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("member"));
      }
      return stream.append(conn, roomId, "member.left", null,
          seq -> RoomStream.frame("member.left", roomId, seq).put("user_id", userId))
          .map(ev -> new RoomStream.Committed(new JsonObject().put("room_id", roomId).put("user_id", userId), ev));
    });
  }

  private Future<JsonObject> memberRow(SqlClient client, long roomId, long userId) {
    return client.preparedQuery(RoomSql.MEMBER_GET).execute(Tuple.of(roomId, userId))
        .map(rs -> Rows.member(rs.iterator().next()));
  }

  /** {user_id, peer_id} → {room, created}: the one direct room of two users, made on first use. */
  private Future<JsonObject> openConversation(JsonObject b) {
    long userId = b.getLong("user_id");
    long peerId = b.getLong("peer_id");
    if (userId == peerId) {
      return Future.failedFuture(ParleyException.invalid("user_id", "you cannot open a conversation with yourself"));
    }
    String key = Math.min(userId, peerId) + ":" + Math.max(userId, peerId);
    return pool.preparedQuery(RoomSql.DIRECT_ROOM_BY_KEY).execute(Tuple.of(key)).compose(rs -> {
      if (rs.size() > 0) {
        return roomFor(pool, rs.iterator().next().getLong("id"), userId).map(r -> new JsonObject().put("room", r).put("created", false));
      }
      return pool.withTransaction(conn -> conn.preparedQuery(RoomSql.USER_EXISTS).execute(Tuple.of(peerId))
              .compose(u -> u.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
                  : conn.preparedQuery(RoomSql.ROOM_INSERT).execute(Tuple.of("direct", null, null, true, null, key)))
              .compose(ins -> {
                long roomId = ins.iterator().next().getLong("id");
                return conn.preparedQuery(RoomSql.MEMBER_INSERT).executeBatch(List.of(
                        Tuple.of(roomId, userId, "member"), Tuple.of(roomId, peerId, "member")))
                    .compose(x -> roomFor(conn, roomId, userId));
              }))
          .map(r -> new JsonObject().put("room", r).put("created", true))
          // two first calls at once: the loser of the unique direct_key finds the winner's room
          .recover(err -> err instanceof PgException pg && "23505".equals(pg.getSqlState())
              ? pool.preparedQuery(RoomSql.DIRECT_ROOM_BY_KEY).execute(Tuple.of(key))
                  .compose(again -> roomFor(pool, again.iterator().next().getLong("id"), userId))
                  .map(r -> new JsonObject().put("room", r).put("created", false))
              : Future.failedFuture(err));
    });
  }

  private Future<JsonObject> roomsOfUser(JsonObject b) {
    return pool.preparedQuery(RoomSql.ROOM_IDS_OF_USER).execute(Tuple.of(b.getLong("user_id"))).map(rs -> {
      JsonArray rooms = new JsonArray();
      for (Row r : rs) {
        rooms.add(new JsonObject().put("id", r.getLong("room_id")).put("member_count", r.getLong("member_count")));
      }
      return new JsonObject().put("rooms", rooms);
    });
  }

  /** {user_id, user_ids} → {user_ids}: those who share a room with the user (themselves included). */
  private Future<JsonObject> usersSharingRoom(JsonObject b) {
    Long[] ids = b.getJsonArray("user_ids", new JsonArray()).stream().map(o -> ((Number) o).longValue()).toArray(Long[]::new);
    return pool.preparedQuery(RoomSql.USERS_SHARING_ROOM).execute(Tuple.of(b.getLong("user_id"), (Object) ids)).map(rs -> {
      JsonArray visible = new JsonArray();
      rs.forEach(r -> visible.add(r.getLong(0)));
      return new JsonObject().put("user_ids", visible);
    });
  }
}
