package io.parley.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Malformed requests generated from {@code openapi.yaml}, operation by operation: bad
 * encodings, missing, wrong-typed and out-of-range parameters and body fields, text PostgreSQL
 * cannot store, bodies that are not JSON or too large, over-long headers and request lines, and
 * tokens that name no user. No randomness: the same contract gives the same cases.
 */
final class FuzzCases {
  /** Any status below 500 will do (a boundary value the contract allows, whose outcome depends on data). */
  static final int ANY = 0;
  private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");
  private static final String BAD = "\"@@bad@@\"";

  /**
   * One request and the status it must get ({@link #ANY}: any below 500); {@code field}: the
   * parameter or body field a 400 must name in {@code details.field} (null: none in particular).
   */
  record Case(String label, String method, String target, Map<String, String> headers, String contentType, byte[] body,
      int expect, String field) {
    Case(String label, String method, String target, Map<String, String> headers, String contentType, byte[] body, int expect) {
      this(label, method, target, headers, contentType, body, expect, null);
    }

    Case field(String name) {
      return new Case(label, method, target, headers, contentType, body, expect, name);
    }
  }

  /** A value to try and the status it must get. */
  private record Value(String text, int expect) {}

  /** An operation with its parameters and body schema resolved. */
  record Operation(String id, String method, String path, boolean bearer, List<JsonObject> params, JsonObject body,
      boolean bodyRequired, boolean multipart) {}

  private final JsonObject contract;
  private final Map<String, Object> fixtures;
  private final String token;
  private final String adminToken;
  private final String tokenWithoutUser;

  /**
   * @param fixtures valid values by parameter or field name (ids of a room, a member, a message)
   * @param token a real access token for operations that need one
   * @param adminToken an admin's access token, for the operations under {@code /admin}
   * @param tokenWithoutUser a validly signed token whose {@code sub} is no user id
   */
  FuzzCases(JsonObject contract, Map<String, Object> fixtures, String token, String adminToken, String tokenWithoutUser) {
    this.contract = contract;
    this.fixtures = fixtures;
    this.token = token;
    this.adminToken = adminToken;
    this.tokenWithoutUser = tokenWithoutUser;
  }

  /** Every operation of the contract, in its order. */
  List<Operation> operations() {
    List<Operation> ops = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths");
    boolean bearerByDefault = !contract.getJsonArray("security", new JsonArray()).isEmpty();
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : METHODS) {
        JsonObject op = item.getJsonObject(method);
        if (op == null) {
          continue;
        }
        List<JsonObject> params = new ArrayList<>();
        item.getJsonArray("parameters", new JsonArray()).forEach(p -> params.add(resolve((JsonObject) p)));
        op.getJsonArray("parameters", new JsonArray()).forEach(p -> params.add(resolve((JsonObject) p)));
        JsonObject body = op.getJsonObject("requestBody");
        boolean multipart = body != null && body.getJsonObject("content").getJsonObject("application/json") == null;
        if (multipart) {
          body = null; // an upload: the JSON-body cases do not apply (AttachmentsTest tries its bodies), its own do
        }
        boolean bearer = op.containsKey("security") ? !op.getJsonArray("security").isEmpty() : bearerByDefault;
        ops.add(new Operation(op.getString("operationId"), method.toUpperCase(), path, bearer, params,
            body == null ? null : resolve(body.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema")),
            body != null && body.getBoolean("required", false), multipart));
      }
    }
    return ops;
  }

  /** The cases of one operation. */
  List<Case> cases(Operation op) {
    List<Case> cases = new ArrayList<>();
    Map<String, String> path = new LinkedHashMap<>();
    Map<String, String> query = new LinkedHashMap<>();
    for (JsonObject p : op.params()) {
      if ("path".equals(p.getString("in"))) {
        path.put(p.getString("name"), String.valueOf(valid(p.getJsonObject("schema"), p.getString("name"))));
      } else if (p.getBoolean("required", false)) {
        query.put(p.getString("name"), queryValue(valid(p.getJsonObject("schema"), p.getString("name"))));
      }
    }
    JsonObject body = op.body() == null ? null : (JsonObject) valid(op.body(), "");
    // encodings in the path and the query
    if (path.isEmpty()) {
      String t = target(op, path, query);
      int q = t.indexOf('?');
      cases.add(request(op, "%zz in the path", q < 0 ? t + "%zz" : t.substring(0, q) + "%zz" + t.substring(q), body, 400));
    }
    for (JsonObject param : op.params()) {
      if ("path".equals(param.getString("in"))) {
        for (Value v : pathValues(resolve(param.getJsonObject("schema")))) {
          Map<String, String> p = new LinkedHashMap<>(path);
          p.put(param.getString("name"), v.text());
          cases.add(request(op, "path " + param.getString("name") + "=" + v.text(), target(op, p, query), body, v.expect())
              .field(v.text().startsWith("%") ? "path" : param.getString("name"))); // bad encodings: HttpEdge's
        }
      }
    }
    for (String v : List.of("%zz", "a%00", "%FF", "%C0%AF", "%ED%A0%80")) {
      cases.add(request(op, "query x=" + v, target(op, path, query) + (query.isEmpty() ? "?" : "&") + "x=" + v, body, 400));
    }
    cases.add(request(op, "query name %zz", target(op, path, query) + (query.isEmpty() ? "?" : "&") + "%zz=1", body, 400));
    for (JsonObject p : op.params()) {
      if ("query".equals(p.getString("in"))) {
        queryCases(op, p, path, query, body, cases);
      }
    }
    if (op.body() != null) {
      bodyCases(op, target(op, path, query), body, cases);
    }
    if (op.multipart()) {
      String t = target(op, path, query);
      cases.add(new Case("an upload as text/plain", op.method(), t, auth(op, Map.of()), "text/plain", bytes(new JsonObject()), 415));
      cases.add(new Case("an upload past media.max_bytes", op.method(), t, auth(op, Map.of()),
          "multipart/form-data; boundary=b", new byte[11 * 1024 * 1024], 413));
    }
    // sizes of the request head
    cases.add(new Case("headers over 8 KB", op.method(), target(op, path, query),
        auth(op, Map.of("X-Padding", "p".repeat(9_000))), null, null, 431));
    cases.add(new Case("request line over 64 KB", op.method(), target(op, path, query) + (query.isEmpty() ? "?" : "&")
        + "pad=" + "p".repeat(66_000), auth(op, Map.of()), null, null, 414));
    if (op.bearer()) {
      String t = target(op, path, query);
      cases.add(new Case("no token", op.method(), t, Map.of(), json(body), bytes(body), 401));
      cases.add(new Case("token without a user", op.method(), t, Map.of("Authorization", "Bearer " + tokenWithoutUser),
          json(body), bytes(body), 401));
      cases.add(new Case("token of garbage", op.method(), t, Map.of("Authorization", "Bearer a.b.c.d"), json(body), bytes(body), ANY));
      cases.add(new Case("not a bearer token", op.method(), t, Map.of("Authorization", "Basic YTpi"), json(body), bytes(body), 401));
    }
    return cases;
  }

  private void queryCases(Operation op, JsonObject p, Map<String, String> path, Map<String, String> query, JsonObject body,
      List<Case> cases) {
    String name = p.getString("name");
    JsonObject s = resolve(p.getJsonObject("schema"));
    List<Value> values = new ArrayList<>();
    if (p.getBoolean("required", false)) {
      values.add(new Value(null, 400));
    }
    switch (type(s)) {
      case "integer" -> {
        values.add(new Value("abc", 400));
        values.add(new Value("1.5", 400));
        values.add(new Value("99999999999999999999", ANY));
        if (s.containsKey("minimum")) {
          values.add(new Value(String.valueOf(s.getLong("minimum") - 1), 400));
          values.add(new Value(String.valueOf(s.getLong("minimum")), ANY));
        }
        if (s.containsKey("maximum")) {
          values.add(new Value(String.valueOf(s.getLong("maximum")), ANY));
          values.add(new Value(String.valueOf(s.getLong("maximum") + 1), 400));
        }
      }
      case "array" -> {
        values.add(new Value("", 400));
        values.add(new Value("1,a", 400));
        values.add(new Value("1,0", 400));
        values.add(new Value("1", ANY));
        StringBuilder many = new StringBuilder("1");
        for (int i = 2; i <= s.getInteger("maxItems", 100) + 1; i++) {
          many.append(',').append(i);
        }
        values.add(new Value(many.toString(), 400));
      }
      default -> {
        int min = s.getInteger("minLength", 0);
        if (min > 0) {
          values.add(new Value("x".repeat(min - 1), 400));
        }
        if (s.containsKey("maxLength")) {
          values.add(new Value("x".repeat(s.getInteger("maxLength")), ANY));
          values.add(new Value("x".repeat(s.getInteger("maxLength") + 1), 400));
        }
        values.add(new Value("%00", 400));
        values.add(new Value("%ED%A0%80", 400));
      }
    }
    for (Value v : values) {
      Map<String, String> q = new LinkedHashMap<>(query);
      if (v.text() == null) {
        q.remove(name);
      } else {
        q.put(name, v.text());
      }
      cases.add(request(op, "query " + name + "=" + abbreviate(v.text()), target(op, path, q), body, v.expect()).field(name));
    }
  }

  /** Values for a path parameter: bad encodings, and for integers wrong types and the bounds. */
  private static List<Value> pathValues(JsonObject s) {
    List<Value> values = new ArrayList<>(List.of(new Value("%zz", 400), new Value("%00", 400), new Value("%FF", 400)));
    if ("integer".equals(type(s))) {
      long min = s.getLong("minimum", 1L);
      values.addAll(List.of(new Value("abc", 400), new Value("1.5", 400), new Value(String.valueOf(min - 1), 400),
          new Value(String.valueOf(min), ANY), new Value(String.valueOf(Long.MAX_VALUE), ANY),
          new Value("99999999999999999999", ANY)));
    }
    return values;
  }

  private void bodyCases(Operation op, String target, JsonObject body, List<Case> cases) {
    JsonObject props = op.body().getJsonObject("properties", new JsonObject());
    JsonArray required = op.body().getJsonArray("required", new JsonArray());
    for (String name : props.fieldNames()) {
      JsonObject s = resolve(props.getJsonObject(name));
      if (required.contains(name)) {
        cases.add(bodyCase(op, target, "missing " + name, without(body, name), 400).field(name));
      }
      cases.add(bodyCase(op, target, name + " of a wrong type", body.copy().put(name, wrongType(s)), 400).field(name));
      cases.add(bodyCase(op, target, name + " = null", body.copy().putNull(name), nullable(s) ? ANY : 400).field(name));
      switch (type(s)) {
        case "integer" -> {
          long min = s.getLong("minimum", Long.MIN_VALUE);
          if (s.containsKey("minimum")) {
            cases.add(bodyCase(op, target, name + " = minimum - 1", body.copy().put(name, min - 1), 400).field(name));
            cases.add(bodyCase(op, target, name + " = minimum", body.copy().put(name, min), ANY).field(name));
          }
          cases.add(bodyCase(op, target, name + " = 1.5", body.copy().put(name, 1.5), 400).field(name));
          cases.add(raw(op, target, name + " = 1e30", body.copy().put(name, "@@bad@@").encode().replace(BAD, "1e30"), 400).field(name));
          cases.add(raw(op, target, name + " = 2^63", body.copy().put(name, "@@bad@@").encode()
              .replace(BAD, "9223372036854775808"), ANY).field(name));
        }
        case "boolean", "object", "array" -> { }
        default -> {
          int minLength = s.getInteger("minLength", 0);
          cases.add(bodyCase(op, target, name + " empty", body.copy().put(name, ""), minLength > 0 ? 400 : ANY).field(name));
          if (minLength > 1) {
            cases.add(bodyCase(op, target, name + " of minLength - 1", body.copy().put(name, "x".repeat(minLength - 1)), 400).field(name));
          }
          if (s.containsKey("maxLength")) {
            int max = s.getInteger("maxLength");
            cases.add(bodyCase(op, target, name + " of maxLength", body.copy().put(name, "x".repeat(max)), ANY).field(name));
            cases.add(bodyCase(op, target, name + " of maxLength + 1", body.copy().put(name, "x".repeat(max + 1)), 400).field(name));
          }
          for (String bad : List.of("a\\u0000b", "a\\ud800", "\\udc00b")) {
            cases.add(raw(op, target, name + " with " + bad, body.copy().put(name, "@@bad@@").encode()
                .replace(BAD, "\"" + bad + "\""), 400).field(name));
          }
          String notUtf8 = body.copy().put(name, "@@bad@@").encode();
          byte[] head = notUtf8.substring(0, notUtf8.indexOf(BAD) + 1).getBytes(StandardCharsets.UTF_8);
          byte[] tail = notUtf8.substring(notUtf8.indexOf(BAD) + BAD.length() - 1).getBytes(StandardCharsets.UTF_8);
          byte[] all = new byte[head.length + 2 + tail.length];
          System.arraycopy(head, 0, all, 0, head.length);
          all[head.length] = (byte) 0xC3; // a lead byte without its continuation
          all[head.length + 1] = (byte) 0xFF;
          System.arraycopy(tail, 0, all, head.length + 2, tail.length);
          cases.add(new Case(name + " with bytes that are not UTF-8", op.method(), target, auth(op, Map.of()),
              "application/json", all, 400));
        }
      }
    }
    String encoded = body.encode();
    String keyed = encoded.equals("{}") ? "{" + BAD + ":1}" : "{" + BAD + ":1," + encoded.substring(1);
    cases.add(raw(op, target, "a key with U+0000", keyed.replace(BAD, "\"k\\u0000\""), 400));
    cases.add(raw(op, target, "a key with a lone surrogate", keyed.replace(BAD, "\"\\ud800\""), 400));
    cases.add(raw(op, target, "nested text with U+0000", keyed.replace(BAD + ":1", "\"extra\":{\"list\":[\"\\u0000\"]}"), 400));
    cases.add(raw(op, target, "malformed JSON", "{\"", 400));
    cases.add(raw(op, target, "a JSON array", "[]", 400));
    cases.add(raw(op, target, "a JSON string", "\"text\"", 400));
    cases.add(raw(op, target, "JSON null", "null", op.bodyRequired() ? 400 : ANY));
    cases.add(raw(op, target, "an empty body", "", op.bodyRequired() ? 400 : ANY));
    cases.add(new Case("text/plain", op.method(), target, auth(op, Map.of()), "text/plain", bytes(body), 415));
    cases.add(new Case("no Content-Type", op.method(), target, auth(op, Map.of()), null, bytes(body), 415));
    cases.add(bodyCase(op, target, "a body over 64 KiB", body.copy().put("padding", "p".repeat(66_000)), 413));
  }

  // ---- building blocks ---------------------------------------------------------------------

  private Case request(Operation op, String label, String target, JsonObject body, int expect) {
    return new Case(label, op.method(), target, auth(op, Map.of()), json(body), bytes(body), expect);
  }

  private Case bodyCase(Operation op, String target, String label, JsonObject body, int expect) {
    return new Case(label, op.method(), target, auth(op, Map.of()), "application/json", bytes(body), expect);
  }

  private Case raw(Operation op, String target, String label, String json, int expect) {
    return new Case(label, op.method(), target, auth(op, Map.of()), "application/json", json.getBytes(StandardCharsets.UTF_8), expect);
  }

  private Map<String, String> auth(Operation op, Map<String, String> extra) {
    Map<String, String> headers = new LinkedHashMap<>(extra);
    if (op.bearer()) {
      headers.put("Authorization", "Bearer " + (op.path().startsWith("/admin/") ? adminToken : token));
    }
    return headers;
  }

  private static String json(JsonObject body) {
    return body == null ? null : "application/json";
  }

  private static byte[] bytes(JsonObject body) {
    return body == null ? null : body.encode().getBytes(StandardCharsets.UTF_8);
  }

  private static String target(Operation op, Map<String, String> path, Map<String, String> query) {
    String p = op.path();
    for (Map.Entry<String, String> e : path.entrySet()) {
      p = p.replace("{" + e.getKey() + "}", e.getValue());
    }
    StringBuilder t = new StringBuilder("/api/v1").append(p).append('?');
    query.forEach((k, v) -> t.append(k).append('=').append(v).append('&'));
    return t.substring(0, t.length() - 1);
  }

  private static JsonObject without(JsonObject body, String name) {
    JsonObject copy = body.copy();
    copy.remove(name);
    return copy;
  }

  private static String abbreviate(Object v) {
    String s = String.valueOf(v);
    return s.length() > 24 ? s.substring(0, 12) + "…(" + s.length() + ")" : s;
  }

  private static String queryValue(Object v) {
    return v instanceof JsonArray a ? String.join(",", a.stream().map(String::valueOf).toList()) : String.valueOf(v);
  }

  /** A valid value for a schema: a fixture when one is named so, else the smallest the schema allows. */
  private Object valid(JsonObject schema, String name) {
    JsonObject s = resolve(schema);
    if (fixtures.containsKey(name)) {
      return fixtures.get(name);
    }
    switch (type(s)) {
      case "integer", "number":
        return s.getLong("minimum", 1L);
      case "boolean":
        return false;
      case "array":
        return new JsonArray().add(valid(s.getJsonObject("items"), name));
      case "object": {
        JsonObject obj = new JsonObject();
        JsonObject props = s.getJsonObject("properties", new JsonObject());
        s.getJsonArray("required", new JsonArray()).forEach(r -> obj.put((String) r, valid(props.getJsonObject((String) r), (String) r)));
        if (obj.isEmpty() && s.getInteger("minProperties", 0) > 0) {
          String first = props.fieldNames().iterator().next();
          obj.put(first, valid(props.getJsonObject(first), first));
        }
        return obj;
      }
      default:
        if (s.getString("format", "").endsWith("email")) {
          return "fuzz@example.test";
        }
        return s.containsKey("pattern") ? "fuzz_user" : "x".repeat(Math.max(1, s.getInteger("minLength", 1)));
    }
  }

  /** A JSON value of a type the schema does not allow. */
  private static Object wrongType(JsonObject s) {
    Object types = s.getValue("type");
    List<?> allowed = types instanceof JsonArray a ? a.getList() : List.of(String.valueOf(types));
    if (!allowed.contains("integer") && !allowed.contains("number")) {
      return 123;
    }
    return allowed.contains("string") ? new JsonArray().add(1) : "text";
  }

  private static boolean nullable(JsonObject s) {
    return s.getValue("type") instanceof JsonArray a && a.contains("null");
  }

  private static String type(JsonObject s) {
    Object t = s.getValue("type");
    if (t instanceof JsonArray a) {
      return a.stream().map(String::valueOf).filter(x -> !"null".equals(x)).findFirst().orElse("null");
    }
    return t == null ? "object" : t.toString();
  }

  /** Follows a local {@code $ref} ({@code #/components/...}). */
  private JsonObject resolve(JsonObject node) {
    while (node != null && node.containsKey("$ref")) {
      JsonObject target = contract;
      for (String part : node.getString("$ref").substring(2).split("/")) {
        target = target.getJsonObject(part);
      }
      node = target;
    }
    return node;
  }
}
