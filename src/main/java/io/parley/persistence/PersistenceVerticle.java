package io.parley.persistence;

import static io.parley.bus.Addresses.PERSISTENCE_HEALTH;

import io.parley.bus.Bus;
import io.parley.bus.StorableText;
import io.parley.metrics.Meters;
import io.parley.persistence.accounts.AccountStore;
import io.parley.persistence.billing.BillingStore;
import io.parley.persistence.billing.StripeEventStore;
import io.parley.persistence.shared.DatabaseOutage;
import io.parley.media.AttachmentJson;
import io.parley.media.SignedUrls;
import io.parley.persistence.media.AttachmentStore;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.SqlErrors;
import io.parley.persistence.accounts.RefreshTokenStore;
import io.parley.persistence.messages.MessageStore;
import io.parley.persistence.messages.SendAdmission;
import io.parley.persistence.outbox.OutboxStore;
import io.parley.persistence.readstate.ReadStateStore;
import io.parley.persistence.rooms.RoomStore;
import io.parley.persistence.search.SearchStore;
import io.parley.persistence.stream.RoomStream;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Owns PostgreSQL: makes the pool and the stores, one per aggregate (accounts and refresh
 * tokens, rooms, messages, read state, each room's event stream, the mail outbox, plans and subscriptions and Stripe's events, message search), and serves
 * the addresses they register ({@code parley.persistence.*} of {@link io.parley.bus.Addresses};
 * formats in {@code docs/event-bus.md}). Migrations run before it deploys ({@link Database}).
 *
 * <p>Every request first has its text checked ({@link StorableText}: nothing PostgreSQL cannot
 * store reaches a statement), and every failure is mapped by {@link SqlErrors}.
 *
 * <p>Config (section {@code persistence}): {@code database_url}, {@code pool_size},
 * {@code send_batch_max}, {@code send_queue_max}, {@code send_queue_max_wait_ms}, {@code max_body_chars}, {@code max_replay},
 * {@code require_verified_email}, {@code enforce_quotas}, {@code url_secret} (the access-token
 * secret, from which attachments' URL key is derived).
 */
public class PersistenceVerticle extends VerticleBase {
  private Pool pool;
  private DatabaseOutage outage;
  private MessageStore messages;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    outage = DatabaseOutage.of(vertx);
    DatabaseOutage nodeOutage = outage;
    Meters.of(vertx).gauge(Meters.DATABASE_UNAVAILABLE, "1 while the database is unreachable from this node, else 0",
        () -> nodeOutage.ongoing() ? 1 : 0);
    boolean requireVerified = cfg.getBoolean("require_verified_email", true);
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(cfg.getInteger("pool_size", 16)).setShared(true).setName("parley-persistence"))
        .connectingTo(PgConnectOptions.fromUri(cfg.getString("database_url")).setCachePreparedStatements(true)
            // the group commit's statement is longer than the default 2048-character limit of the cache
            .setPreparedStatementCacheSqlLimit(16_384))
        .using(vertx)
        .build();

    OutboxStore outbox = new OutboxStore(vertx, pool);
    AttachmentJson attachments = new AttachmentJson(SignedUrls.derive(cfg.getString("url_secret")));
    RoomStream stream = new RoomStream(vertx, pool, cfg.getInteger("max_replay", 1000), attachments);
    RefreshTokenStore tokens = new RefreshTokenStore(pool);
    List<Future<Void>> ready = new ArrayList<>();
    Handlers handlers = (address, handler) -> ready.add(serve(address, handler));
    handlers.on(PERSISTENCE_HEALTH, b -> pool.query("SELECT 1").execute().map(rs -> new JsonObject().put("ok", true)));
    outbox.register(handlers);
    stream.register(handlers);
    tokens.register(handlers);
    new AccountStore(vertx, pool, outbox, tokens, requireVerified).register(handlers);
    new RoomStore(vertx, pool, stream, attachments).register(handlers);
    new AttachmentStore(pool, attachments).register(handlers);
    new io.parley.persistence.assistant.AssistantStore(pool).register(handlers);
    new io.parley.persistence.admin.AdminStore(vertx, pool, tokens).register(handlers);
    Future<MessageStore> messagesStarted = MessageStore.start(vertx, pool, PgConnectOptions.fromUri(cfg.getString("database_url")),
        stream, cfg.getInteger("max_body_chars", 4000), requireVerified, cfg.getBoolean("enforce_quotas", true),
        cfg.getInteger("send_batch_max", 128),
        new SendAdmission(cfg.getInteger("send_queue_max", 10_000), cfg.getLong("send_queue_max_wait_ms", 750L)), attachments);
    ready.add(messagesStarted.compose(store -> {
      messages = store;
      List<Future<Void>> served = new ArrayList<>();
      store.register((address, handler) -> served.add(serve(address, handler)));
      return Future.all(served).<Void>mapEmpty();
    }));
    new ReadStateStore(vertx, pool).register(handlers);
    new BillingStore(pool).register(handlers);
    new StripeEventStore(pool).register(handlers);
    new SearchStore(pool).register(handlers);
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    Future<Void> listening = messages == null ? Future.succeededFuture() : messages.close();
    return listening.transform(x -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /**
   * Serves an address: refuses text that cannot be stored (in any field) before the handler
   * runs, ends a database outage when the handler succeeds, and maps its failures
   * ({@link SqlErrors}). Completes once the consumer is registered cluster-wide.
   */
  private Future<Void> serve(String address, Function<JsonObject, Future<?>> handler) {
    Function<Message<JsonObject>, Future<Object>> wrapped = msg -> {
      JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
      StorableText.requireAll("", body);
      return handler.apply(body).<Object>map(r -> r).andThen(ar -> {
        if (ar.succeeded()) {
          outage.succeeded();
        }
      }).recover(err -> SqlErrors.map(err, outage));
    };
    return Bus.serve(vertx, address, wrapped).completion();
  }
}
