package io.parley.bus;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * The request id of the work at hand, and how it travels over the event bus (the owner of the
 * {@value Addresses#HEADER_REQUEST_ID} header).
 *
 * <p>The id lives in a Vert.x {@link ContextLocal} of the <em>duplicated</em> context that Vert.x
 * gives each HTTP request and each event-bus delivery, so it follows the work across its
 * asynchronous steps on event loops (a thread-local MDC would not). {@link #install} adds two
 * interceptors to a Vert.x instance: the outbound one puts the current context's id on every
 * message sent without one (an id given explicitly, e.g. by {@link Bus#request}, wins); the
 * inbound one binds a delivered message's id to the handler's duplicated context. Log lines read
 * it through {@code io.parley.logging} ({@code request_id}).
 *
 * <p>Registered as a {@link VertxServiceProvider} (META-INF/services) only so that its
 * {@link ContextLocal} exists before any Vert.x instance is made: Vert.x sizes each instance's
 * context storage when it is created.
 */
public final class RequestIds implements VertxServiceProvider {
  /** The name of the request id in logs (MDC key and JSON field). */
  public static final String LOG_KEY = "request_id";
  /** Longest id accepted from a client or proxy. */
  public static final int MAX_LENGTH = 128;

  private static final ContextLocal<String> LOCAL = ContextLocal.registerLocal(String.class);
  private static final String INSTALLED = "parley.request-ids.installed";

  /** For the service loader. */
  public RequestIds() {}

  @Override
  public void init(VertxBootstrap builder) {
    // nothing to set up: loading this class registered LOCAL
  }

  /**
   * Whether {@code id} may be kept as given: 1 to 128 characters of {@code [A-Za-z0-9._-]}. A loop,
   * not a regular expression: every event-bus delivery asks (1.7 % of the JVM's samples with a
   * regex, one-to-one on one core, issue 19).
   */
  public static boolean sane(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** {@code given} when it is {@link #sane}, else a new random id. */
  public static String keepOrNew(String given) {
    return sane(given) ? given : UUID.randomUUID().toString();
  }

  /** The id bound to the current Vert.x context, or null (no context, or none bound). */
  public static String current() {
    Context ctx = Vertx.currentContext();
    return ctx == null ? null : ctx.getLocal(LOCAL);
  }

  /**
   * Binds {@code id} to the current context when it is a duplicated one (an HTTP request's, a
   * delivery's); an event loop's own context is shared by unrelated work and is left alone.
   */
  public static void bind(String id) {
    Context ctx = Vertx.currentContext();
    if (id != null && ctx instanceof ContextInternal ci && ci.isDuplicate()) {
      ctx.putLocal(LOCAL, id);
    }
  }

  /**
   * Runs {@code logging} with {@code id} as the MDC's {@value #LOG_KEY} (it wins over the context's
   * id in log lines): for lines about one message written where the context may be another's,
   * e.g. a reply completed by a batch that a different request started.
   */
  public static void logging(String id, Runnable logging) {
    if (id == null) {
      logging.run();
      return;
    }
    String previous = MDC.get(LOG_KEY);
    MDC.put(LOG_KEY, id);
    try {
      logging.run();
    } finally {
      if (previous == null) {
        MDC.remove(LOG_KEY);
      } else {
        MDC.put(LOG_KEY, previous);
      }
    }
  }

  /**
   * Adds the outbound and inbound interceptors to {@code vertx}'s event bus, once per instance.
   *
   * @return {@code vertx}
   */
  public static Vertx install(Vertx vertx) {
    if (vertx.sharedData().getLocalMap(INSTALLED).putIfAbsent("yes", true) == null) {
      vertx.eventBus().addOutboundInterceptor(outbound()).addInboundInterceptor(inbound());
    }
    return vertx;
  }

  private static <T> Handler<DeliveryContext<T>> outbound() {
    return dc -> {
      String id = current();
      if (id != null) {
        MultiMap headers = dc.message().headers();
        if (!headers.contains(Addresses.HEADER_REQUEST_ID)) {
          headers.add(Addresses.HEADER_REQUEST_ID, id);
        }
      }
      dc.next();
    };
  }

  private static <T> Handler<DeliveryContext<T>> inbound() {
    return dc -> {
      // a reply comes back to a context that has its id already: keep it (a reply may carry
      // another request's id, e.g. one answered from a batch that request started)
      if (current() == null) {
        String id = dc.message().headers().get(Addresses.HEADER_REQUEST_ID);
        if (sane(id)) {
          bind(id);
        }
      }
      dc.next();
    };
  }
}
