package io.parley.api;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every HTTP error as {@code application/problem+json} (RFC 9457):
 * {@code {type, title, status, code, detail, request_id, details?}}, where {@code code} is the
 * {@link ErrorCode} name and the status comes from the same table.
 */
final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  /** Turns a failed routing context (status and/or throwable) into a problem response. */
  static void handle(RoutingContext rc) {
    send(rc, toParley(rc.statusCode(), rc.failure()));
  }

  /**
   * As {@link #handle}, except that a request the contract's validator refused becomes
   * {@code VALIDATION_FAILED} naming the field and its bounds from the schema of the operation
   * it was sent to ({@link ValidationProblems}), found in {@code contract} by path and method.
   */
  static void handle(RoutingContext rc, OpenAPIContract contract) {
    ValidatorException refused = ValidationProblems.find(rc.failure());
    if (refused == null) {
      handle(rc);
    } else {
      send(rc, ValidationProblems.of(refused, operation(contract, rc)));
    }
  }

  /** The contract's operation for the request's path and method, or null. */
  private static Operation operation(OpenAPIContract contract, RoutingContext rc) {
    io.vertx.openapi.contract.Path path = contract == null ? null : contract.findPath(rc.request().path());
    if (path == null) {
      return null;
    }
    return path.getOperations().stream().filter(o -> o.getHttpMethod().equals(rc.request().method())).findFirst().orElse(null);
  }

  static ParleyException toParley(int status, Throwable failure) {
    if (failure instanceof ParleyException pe) {
      return pe;
    }
    ValidatorException refused = ValidationProblems.find(failure);
    if (refused != null) {
      return ValidationProblems.of(refused, null); // without the operation: see handle(rc, contract)
    }
    if (failure instanceof HttpException he && status < 0) {
      status = he.getStatusCode();
    }
    if (status < 0) {
      status = 500;
    }
    return switch (status) {
      case 400 -> new ParleyException(ErrorCode.VALIDATION_FAILED, "the request is malformed");
      case 401 -> new ParleyException(ErrorCode.UNAUTHORIZED, "a valid access token is required (Authorization: Bearer)");
      case 403 -> new ParleyException(ErrorCode.FORBIDDEN, "not allowed");
      case 404 -> new ParleyException(ErrorCode.NOT_FOUND, "no such resource");
      case 405 -> new ParleyException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this resource");
      case 413 -> new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
      case 414 -> new ParleyException(ErrorCode.URI_TOO_LONG, "the request line is too long");
      case 415 -> new ParleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json");
      case 431 -> new ParleyException(ErrorCode.HEADERS_TOO_LARGE, "the request headers are too large");
      case 503 -> new ParleyException(ErrorCode.UNAVAILABLE, "service unavailable");
      case 504 -> new ParleyException(ErrorCode.TIMEOUT, "a service did not answer in time");
      default -> status >= 400 && status < 500
          ? new ParleyException(ErrorCode.VALIDATION_FAILED, "the request is malformed")
          : new ParleyException(ErrorCode.INTERNAL, "internal error");
    };
  }

  static void send(RoutingContext rc, ParleyException pe) {
    if (rc.response().headWritten()) {
      rc.response().reset();
      return;
    }
    String requestId = rc.get(HttpEdge.REQUEST_ID);
    if (pe.code() == ErrorCode.INTERNAL && rc.failure() != null) {
      LOG.error("{} {} failed", rc.request().method(), rc.request().path(), rc.failure()); // the request id comes with the line
    }
    write(rc.response(), requestId, pe);
  }

  /** Writes {@code pe} as the problem response, also where no routing context exists. */
  static Future<Void> write(HttpServerResponse response, String requestId, ParleyException pe) {
    JsonObject problem = new JsonObject()
        .put("type", "https://parley.dev/problems/" + pe.code().name().toLowerCase().replace('_', '-'))
        .put("title", title(pe.code()))
        .put("status", pe.code().httpStatus)
        .put("code", pe.code().name())
        .put("detail", pe.getMessage());
    if (requestId != null) {
      problem.put("request_id", requestId);
    }
    if (pe.details() != null) {
      problem.put("details", pe.details());
    }
    if (pe.details() != null && pe.details().getValue("retry_after_s") instanceof Number wait) {
      response.putHeader("Retry-After", String.valueOf(wait.longValue()));
    }
    return response.setStatusCode(pe.code().httpStatus)
        .putHeader("Content-Type", "application/problem+json")
        .end(problem.encode());
  }

  private static String title(ErrorCode code) {
    String words = code.name().replace('_', ' ').toLowerCase();
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
