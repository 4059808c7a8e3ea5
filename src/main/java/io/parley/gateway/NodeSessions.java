package io.parley.gateway;

import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.bus.UserFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one node (one per Vert.x instance, see {@link #of}): tells presence when
 * sockets open and close and sends its heartbeats (one batch per node every
 * {@code heartbeat_ms}), and delivers {@code notification}s, the node's single consumer of
 * {@code parley.notifications}, to the sockets of members that are not subscribed to the room.
 * It writes the frames published for one user ({@code parley.users.frames}) to that user's
 * sockets, and closes a user's sockets when an admin disabled the account ({@code parley.users.disabled},
 * 4403) or a new password ended their sessions ({@code parley.users.sessions-ended}, 4410).
 * Presence failures (Redis down) are logged and never affect messaging.
 */
final class NodeSessions implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeSessions.class);

  private final Vertx vertx;
  private final Bus bus;
  private final Map<Long, Set<Connection>> byUser = new ConcurrentHashMap<>();
  /** Bumped whenever a socket opens or closes or changes its subscriptions. */
  private final java.util.concurrent.atomic.AtomicLong sessionsVersion = new java.util.concurrent.atomic.AtomicLong();
  private final Future<Void> ready;

  private NodeSessions(Vertx vertx, Bus bus, long heartbeatMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.ready = Future.all(vertx.eventBus().<JsonObject>consumer(NOTIFICATIONS, this::onNotification).completion(),
        vertx.eventBus().<JsonObject>consumer(USERS_DISABLED, msg -> closeUser(msg.body().getLong("user_id"),
            GatewayVerticle.CLOSE_ACCOUNT_DISABLED, "account disabled", null)).completion(),
        vertx.eventBus().<JsonObject>consumer(USERS_SESSIONS_ENDED, msg -> closeUser(msg.body().getLong("user_id"),
            GatewayVerticle.CLOSE_SESSION_ENDED, "session ended: password changed", msg.body().getString("keep_session"))).completion(),
        vertx.eventBus().<JsonObject>consumer(USER_FRAMES, msg -> toUser(msg.body())).completion())
        .mapEmpty();
    // Run once now, while file descriptors are plenty: linking a lambda loads classes from the
    // class path, and a link that fails (say, during descriptor exhaustion) fails for good.
    evictStale();
    heartbeat();
    vertx.setPeriodic(heartbeatMs, t -> heartbeat());
    vertx.setPeriodic(EVICT_EVERY_MS, t -> evictStale());
  }

  /** The node's sessions (made, with its consumer and heartbeat, by the first gateway instance). */
  static NodeSessions of(Vertx vertx, Bus bus, long heartbeatMs) {
    LocalMap<String, NodeSessions> map = vertx.sharedData().getLocalMap("parley.gateway");
    synchronized (NodeSessions.class) {
      NodeSessions existing = map.get("sessions");
      if (existing != null) {
        return existing;
      }
      NodeSessions fresh = new NodeSessions(vertx, bus, heartbeatMs);
      map.put("sessions", fresh);
      return fresh;
    }
  }

  /** The node's sessions once a gateway has made them (for tests). */
  static java.util.Optional<NodeSessions> lookup(Vertx vertx) {
    LocalMap<String, NodeSessions> map = vertx.sharedData().getLocalMap("parley.gateway");
    return java.util.Optional.ofNullable(map.get("sessions"));
  }

  Future<Void> ready() {
    return ready;
  }

  /** Closes every socket of the node with 1001 (the node is stopping). */
  Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    byUser.values().forEach(set -> set.forEach(c -> closing.add(c.close((short) 1001, "server shutting down"))));
    return Future.join(closing).mapEmpty();
  }

  /**
   * Closes the sockets of {@code userId} on this node with {@code code}: 4403 when an admin
   * disabled the account, 4410 when a new password ended the user's sessions (all but those
   * opened in {@code keepSession}, the session that changed it).
   */
  private void closeUser(Long userId, short code, String reason, String keepSession) {
    Set<Connection> open = userId == null ? null : byUser.get(userId);
    if (open != null) {
      open.stream().filter(c -> keepSession == null || !keepSession.equals(c.session())).forEach(c -> c.close(code, reason));
    }
  }

  /** A frame for one user ({@link UserFrames}, e.g. {@code membership.added}): written to each of their sockets here. */
  private void toUser(JsonObject body) {
    Long userId = UserFrames.userId(body);
    Set<Connection> open = userId == null ? null : byUser.get(userId);
    if (open != null) {
      String text = UserFrames.frameText(body);
      open.forEach(c -> c.sendText(text));
    }
  }

  void opened(Connection c) {
    byUser.computeIfAbsent(c.userId(), k -> ConcurrentHashMap.newKeySet()).add(c);
    sessionsVersion.incrementAndGet();
    presence(PRESENCE_CONNECT, c);
  }

  void closed(Connection c) {
    byUser.computeIfPresent(c.userId(), (k, set) -> {
      set.remove(c);
      return set.isEmpty() ? null : set;
    });
    sessionsVersion.incrementAndGet();
    presence(PRESENCE_DISCONNECT, c);
  }

  /** A socket subscribed to or left a room: cached notification candidates are stale. */
  void subscriptionsChanged() {
    sessionsVersion.incrementAndGet();
  }

  private void presence(String address, Connection c) {
    bus.request(address, new JsonObject().put("user_id", c.userId()).put("conn_id", c.id()), c.id())
        .onFailure(err -> LOG.debug("presence {} of {}: {}", address, c.id(), err.getMessage()));
  }

  private void heartbeat() {
    JsonArray conns = new JsonArray();
    for (Map.Entry<Long, Set<Connection>> e : byUser.entrySet()) {
      for (Connection c : e.getValue()) {
        conns.add(new JsonArray().add(e.getKey()).add(c.id()));
      }
    }
    if (!conns.isEmpty()) {
      bus.request(PRESENCE_HEARTBEAT, new JsonObject().put("conns", conns), "heartbeat")
          .onFailure(err -> LOG.debug("presence heartbeat: {}", err.getMessage()));
    }
  }

  /** A room's member ids as last loaded, with when. */
  private record Members(Set<Long> ids, long loadedAt) {}

  private final Map<Long, Members> members = new ConcurrentHashMap<>();

  /**
   * The members of a room from a short-lived cache ({@value #MEMBERS_TTL_MS} ms). It only narrows
   * down whom to ask about: the unread query that follows checks membership in the database, so
   * a stale entry can delay a new member's first notification, never leak one.
   */
  private Future<Set<Long>> membersOf(long roomId) {
    Members cached = members.get(roomId);
    if (cached != null && System.currentTimeMillis() - cached.loadedAt < MEMBERS_TTL_MS) {
      return Future.succeededFuture(cached.ids);
    }
    return bus.request(MEMBERS_IDS, new JsonObject().put("room_id", roomId), "notification").map(r -> {
      Set<Long> ids = new java.util.HashSet<>();
      r.getJsonArray("user_ids").forEach(id -> ids.add(((Number) id).longValue()));
      members.put(roomId, new Members(ids, System.currentTimeMillis()));
      return ids;
    });
  }

  private static final long MEMBERS_TTL_MS = 5000;
  private static final long EVICT_EVERY_MS = 1000;

  /**
   * Drops what the notification caches hold for rooms that went quiet: member sets past their
   * TTL, and candidate lists for a member set no longer cached or for an older state of the
   * node's sockets (those would keep closed connections reachable). Runs every
   * {@value #EVICT_EVERY_MS} ms, so the caches hold only rooms with a message in the last few
   * seconds. A candidate list removed while in use is only computed again.
   */
  private void evictStale() {
    long now = System.currentTimeMillis();
    members.values().removeIf(m -> now - m.loadedAt >= MEMBERS_TTL_MS);
    long version = sessionsVersion.get();
    candidatesByRoom.entrySet().removeIf(e -> {
      Members m = members.get(e.getKey());
      return m == null || m.ids != e.getValue().ids || e.getValue().sessionsVersion != version;
    });
  }

  /** Whether the notification caches hold anything for the room (for tests). */
  boolean caches(long roomId) {
    return members.containsKey(roomId) || candidatesByRoom.containsKey(roomId);
  }

  /** A new message somewhere: tell local sockets of members that do not follow that room. */
  private void onNotification(Message<JsonObject> msg) {
    if (byUser.isEmpty()) {
      return;
    }
    JsonObject n = msg.body();
    long roomId = n.getLong("room_id");
    Long author = n.getJsonObject("message").getLong("author_id");
    membersOf(roomId).onSuccess(ids -> notifyMembers(n, roomId, author, ids));
  }

  /**
   * Local sockets of a room's members that do not follow the room, by user, for one member set
   * and one state of the node's sockets; kept until either changes. A fan-out where every member
   * follows the room then costs one lookup per message instead of a walk over its members.
   */
  private record Candidates(Set<Long> ids, long sessionsVersion, Map<Long, List<Connection>> byUser) {}

  private final Map<Long, Candidates> candidatesByRoom = new ConcurrentHashMap<>();

  private Map<Long, List<Connection>> candidates(long roomId, Set<Long> ids) {
    long version = sessionsVersion.get();
    Candidates cached = candidatesByRoom.get(roomId);
    if (cached != null && cached.ids == ids && cached.sessionsVersion == version) {
      return cached.byUser;
    }
    Map<Long, List<Connection>> found = new java.util.HashMap<>();
    for (Long user : ids) {
      Set<Connection> local = byUser.get(user);
      if (local == null) {
        continue;
      }
      for (Connection c : local) {
        if (!c.isSubscribed(roomId)) {
          found.computeIfAbsent(user, k -> new ArrayList<>()).add(c);
        }
      }
    }
    candidatesByRoom.put(roomId, new Candidates(ids, version, found));
    return found;
  }

  private void notifyMembers(JsonObject n, long roomId, Long author, Set<Long> ids) {
    Map<Long, List<Connection>> all = candidates(roomId, ids);
    Map<Long, List<Connection>> candidates = all;
    if (author != null && all.containsKey(author)) {
      candidates = new java.util.HashMap<>(all);
      candidates.remove(author);
    }
    notifyCandidates(n, roomId, candidates);
  }

  private void notifyCandidates(JsonObject n, long roomId, Map<Long, List<Connection>> candidates) {
    if (candidates.isEmpty()) {
      return;
    }
    bus.request(UNREAD_FOR_USERS, new JsonObject().put("room_id", roomId).put("user_ids", new JsonArray(new ArrayList<>(candidates.keySet()))),
            "notification")
        .onSuccess(r -> {
          for (Object o : r.getJsonArray("items")) {
            JsonObject member = (JsonObject) o;
            JsonObject frame = new JsonObject().put("type", "notification").put("room_id", roomId).put("seq", n.getLong("seq"))
                .put("message", n.getJsonObject("message")).put("unread_count", member.getLong("unread_count"));
            String text = frame.encode();
            for (Connection c : candidates.getOrDefault(member.getLong("user_id"), List.of())) {
              c.sendText(text);
            }
          }
        })
        .onFailure(err -> LOG.debug("notification for room {}: {}", roomId, err.getMessage()));
  }
}
