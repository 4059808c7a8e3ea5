package io.parley.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply over the event bus with Parley's error contract.
 *
 * <p>{@link #request} fails with a {@link ParleyException}: the callee's own code for business
 * failures ({@code RECIPIENT_FAILURE}), {@link ErrorCode#UNAVAILABLE} when nobody listens
 * ({@code NO_HANDLERS}) and {@link ErrorCode#TIMEOUT} when the reply does not come in time.
 * {@link #serve} registers a handler and turns its failures into the same contract.
 */
public final class Bus {
  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  private final EventBus eventBus;
  private final long timeoutMs;

  public Bus(Vertx vertx, long timeoutMs) {
    this.eventBus = vertx.eventBus();
    this.timeoutMs = timeoutMs;
  }

  /**
   * Sends {@code body} to {@code address} and returns the JSON reply. {@code requestId} (may be
   * null) goes along as the request id; without one the current context's id does
   * ({@link RequestIds}).
   */
  public Future<JsonObject> request(String address, JsonObject body, String requestId) {
    return send(address, body, requestId);
  }

  /**
   * Sends {@code body} to {@code address} whose handler answers with JSON already encoded (a
   * {@link Buffer}, see {@link #serve}): the bytes to send on as they are.
   */
  public Future<Buffer> requestEncoded(String address, JsonObject body, String requestId) {
    return send(address, body, requestId);
  }

  private <T> Future<T> send(String address, JsonObject body, String requestId) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (requestId != null) {
      options.addHeader(Addresses.HEADER_REQUEST_ID, requestId);
    }
    return eventBus.<T>request(address, body, options)
        .map(Message::body)
        .recover(err -> Future.failedFuture(toParley(err)));
  }

  /** Maps any failure of a bus request to a {@link ParleyException}. */
  public static ParleyException toParley(Throwable err) {
    if (err instanceof ParleyException pe) {
      return pe;
    }
    if (err instanceof ReplyException re) {
      switch (re.failureType()) {
        case TIMEOUT:
          return new ParleyException(ErrorCode.TIMEOUT, "the service did not answer in time");
        case NO_HANDLERS:
          return new ParleyException(ErrorCode.UNAVAILABLE, "the service is not available",
              new JsonObject().put("reason", "no_handlers"));
        default:
          ErrorCode code = ErrorCode.ofNumber(re.failureCode());
          JsonObject body = null;
          try {
            body = re.getMessage() == null ? null : new JsonObject(re.getMessage());
          } catch (DecodeException ignored) {
            // not one of ours
          }
          if (code == null || body == null) {
            return new ParleyException(ErrorCode.INTERNAL, "internal error");
          }
          return new ParleyException(code, body.getString("message", code.name()), body.getJsonObject("details"));
      }
    }
    return new ParleyException(ErrorCode.INTERNAL, "internal error");
  }

  /**
   * Registers {@code handler} on {@code address}: its result is the reply (a {@link JsonObject},
   * or a {@link Buffer} of encoded JSON for {@link #requestEncoded}), its failure a failure reply
   * with the error code's number and JSON body. Unexpected exceptions are logged (with the
   * message's request id) and answered as
   * {@link ErrorCode#INTERNAL}; the consumer stays up. At DEBUG each request served is logged
   * with its time and outcome.
   */
  public static <R> MessageConsumer<JsonObject> serve(
      Vertx vertx, String address, Function<Message<JsonObject>, Future<R>> handler) {
    return vertx.eventBus().consumer(address, msg -> {
      long start = System.nanoTime();
      Future<R> result;
      try {
        result = handler.apply(msg);
      } catch (Throwable t) {
        result = Future.failedFuture(t);
      }
      result.onComplete(ar -> RequestIds.logging(msg.headers().get(Addresses.HEADER_REQUEST_ID), () -> {
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          ParleyException pe = fromLocal(ar.cause(), address);
          msg.fail(pe.code().number, pe.toJson().encode());
        }
        if (LOG.isDebugEnabled()) {
          LOG.debug("served {} in {} ms: {}", address, (System.nanoTime() - start) / 1_000_000,
              ar.succeeded() ? "ok" : toParley(ar.cause()).code());
        }
      }));
    });
  }

  private static ParleyException fromLocal(Throwable err, String address) {
    if (err instanceof ParleyException pe) {
      return pe;
    }
    LOG.error("{} failed", address, err);
    return new ParleyException(ErrorCode.INTERNAL, "internal error");
  }
}
