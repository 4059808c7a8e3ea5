package io.parley.persistence.shared;

import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Who may see and act in a room: the one place of the visibility rule. Members see their rooms;
 * everybody sees public group rooms (their name, description and size; content such as history
 * and {@code last_message} stays with members). Everything else is "not found" for a user, so
 * private rooms and conversations are not revealed by their ids.
 */
public final class RoomAccess {
  /** $1 room, $2 user: what the user may do there (no row: the room does not exist). */
  private static final String ROOM_ACCESS =
      "SELECT r.kind, r.is_private, r.owner_id, r.last_seq, m.role FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1";

  /** As {@link #ROOM_ACCESS}, locking the room's row (the lock every stream append takes first). */
  private static final String ROOM_ACCESS_FOR_UPDATE = ROOM_ACCESS + " FOR UPDATE OF r";

  private RoomAccess() {}

  /** The visibility rule: whether a user sees a room of {@code kind} ({@code group}, {@code direct}). */
  public static boolean visible(String kind, boolean isPrivate, boolean member) {
    return member || (kind.equals("group") && !isPrivate);
  }

  /** One user's access to one room. {@code role} is null when they are not a member. */
  public record Access(String kind, boolean isPrivate, Long ownerId, long lastSeq, String role) {
    public boolean member() {
      return role != null;
    }

    public boolean visible() {
      return RoomAccess.visible(kind, isPrivate, member());
    }

    /** NOT_FOUND for rooms the user cannot see, FORBIDDEN for visible ones they are not in. */
    public ParleyException notMember() {
      return visible() ? ParleyException.forbidden("you are not a member of this room") : ParleyException.notFound("room");
    }
  }

  /** The user's access to the room (locking its row when {@code lock}); NOT_FOUND when there is no such room. */
  public static Future<Access> of(SqlClient client, long roomId, long userId, boolean lock) {
    return client.preparedQuery(lock ? ROOM_ACCESS_FOR_UPDATE : ROOM_ACCESS).execute(Tuple.of(roomId, userId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(ParleyException.notFound("room"));
          }
          Row r = rs.iterator().next();
          return Future.succeededFuture(new Access(r.getString("kind"), r.getBoolean("is_private"),
              r.getLong("owner_id"), r.getLong("last_seq"), r.getString("role")));
        });
  }

  /** As {@link #of}, failing unless the user is a member ({@link Access#notMember}). */
  public static Future<Access> requireMember(SqlClient client, long roomId, long userId, boolean lock) {
    return of(client, roomId, userId, lock)
        .compose(a -> a.member() ? Future.succeededFuture(a) : Future.failedFuture(a.notMember()));
  }

  /**
   * As {@link #requireOwner}, or a moderator or admin of the service acting on a group room (the
   * row locked all the same): answers whether it is such a moderation (to be audited).
   */
  public static Future<Boolean> requireOwnerOrModerator(SqlClient client, long roomId, long userId) {
    return requireOwner(client, roomId, userId).map(false).recover(notOwner -> client
        .preparedQuery("SELECT role FROM users WHERE id = $1").execute(Tuple.of(userId)).compose(rs -> {
          String role = rs.size() == 0 ? null : rs.iterator().next().getString("role");
          if (!"moderator".equals(role) && !"admin".equals(role)) {
            return Future.failedFuture(notOwner);
          }
          return of(client, roomId, userId, true).compose(a -> a.kind().equals("group") ? Future.succeededFuture(true)
              : Future.failedFuture(ParleyException.forbidden("conversations have no owner and cannot be changed")));
        }));
  }

  /** The room's owner, with its row locked; conversations have none (FORBIDDEN). */
  public static Future<Access> requireOwner(SqlClient client, long roomId, long userId) {
    return requireMember(client, roomId, userId, true).compose(a -> {
      if (!a.kind().equals("group")) {
        return Future.failedFuture(ParleyException.forbidden("conversations have no owner and cannot be changed"));
      }
      if (!"owner".equals(a.role())) {
        return Future.failedFuture(ParleyException.forbidden("only the room owner can do this"));
      }
      return Future.succeededFuture(a);
    });
  }
}
