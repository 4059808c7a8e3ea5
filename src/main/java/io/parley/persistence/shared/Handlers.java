package io.parley.persistence.shared;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Where a store registers what it serves: each address of {@link io.parley.bus.Addresses} it
 * owns, with its handler (a JSON request → its reply: a {@code JsonObject}, or a
 * {@code Buffer} of JSON already encoded). The persistence verticle wraps every handler with the
 * checks and the error mapping all of them share.
 */
@FunctionalInterface
public interface Handlers {
  void on(String address, Function<JsonObject, Future<?>> handler);
}
