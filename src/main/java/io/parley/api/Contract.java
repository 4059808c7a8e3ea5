package io.parley.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Loads {@code openapi.yaml} for the router.
 *
 * <p>The published contract declares errors as {@code application/problem+json} (RFC 9457),
 * which vertx-openapi 5.0 refuses to load ("unsupported media type"). The router never
 * validates responses, so the copy it is built from names those responses
 * {@code application/json}; the file served at {@code /openapi.yaml} is unchanged.
 *
 * <p>The published contract's server is relative ({@code /api/v1}), so that Swagger UI's "Try it
 * out" calls whatever host and port served it. vertx-openapi 5.0 reads a server URL with
 * {@code java.net.URL} and uses only its path (the router's mount point): the router's copy makes
 * a relative URL absolute on a placeholder host ({@code http://localhost/api/v1}).
 *
 * <p>Media responses ({@code *}{@code /*}, {@code image/jpeg}, …: the bytes of attachments and
 * avatars, served by {@link MediaRoutes} before the router) are named
 * {@code application/octet-stream} in the router's copy, the one binary type vertx-openapi 5.0
 * loads.
 *
 * <p>The same copy guards {@code format: email}: vertx-json-schema 5.0's e-mail check throws on
 * an empty string (a 500 instead of a 400), so the router's copy applies the format only to
 * non-empty strings ({@code if: {minLength: 1}, then: {format: email}}); the published schemas
 * also state a {@code minLength}, which refuses the empty string.
 */
public final class Contract {
  /** The media type of every error response. */
  public static final String PROBLEM_JSON = "application/problem+json";

  private Contract() {}

  /**
   * Reads and parses the contract (file system, then classpath) in a form vertx-openapi loads,
   * with its validators kept once made ({@link CachingContract}).
   */
  public static Future<OpenAPIContract> load(Vertx vertx) {
    return raw(vertx).compose(raw -> OpenAPIContract.from(vertx, routable(raw))).map(CachingContract::new);
  }

  /** The contract exactly as published, as JSON. */
  public static Future<JsonObject> raw(Vertx vertx) {
    return vertx.fileSystem().readFile("openapi.yaml").map(buf -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = new Yaml().load(buf.toString());
      return new JsonObject(new JsonObject(map).encode());
    });
  }

  /**
   * A copy of the raw contract with problem+json responses renamed to application/json, e-mail
   * formats guarded against the empty string, and relative server URLs made absolute.
   */
  static JsonObject routable(JsonObject raw) {
    JsonObject copy = raw.copy();
    rename(copy);
    for (Object server : copy.getJsonArray("servers", new JsonArray())) {
      if (server instanceof JsonObject s && s.getString("url", "").startsWith("/")) {
        s.put("url", "http://localhost" + s.getString("url"));
      }
    }
    return copy;
  }

  /** A media type of bytes served as stored (not JSON, text or a form). */
  private static boolean binary(String mediaType) {
    return mediaType.equals("*/*") || mediaType.startsWith("image/") || mediaType.startsWith("audio/");
  }

  private static void rename(Object node) {
    if (node instanceof JsonObject obj) {
      if (obj.containsKey(PROBLEM_JSON) && !obj.containsKey("application/json")) {
        obj.put("application/json", obj.remove(PROBLEM_JSON));
      }
      if (obj.getValue("content") instanceof JsonObject content && !content.isEmpty()
          && content.fieldNames().stream().allMatch(Contract::binary)) {
        obj.put("content", new JsonObject().put("application/octet-stream", content.getValue(content.fieldNames().iterator().next())));
      }
      obj.forEach(e -> rename(e.getValue()));
      if (obj.getValue("format") instanceof String format && format.endsWith("email")) {
        obj.put("if", new JsonObject().put("minLength", 1)).put("then", new JsonObject().put("format", obj.remove("format")));
      }
    } else if (node instanceof JsonArray arr) {
      arr.forEach(Contract::rename);
    }
  }
}
