package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.parley.api.Contract;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP client of one node's API that checks every response against {@code openapi.yaml}
 * (status declared for the operation, body matching its schema, problem+json for errors) and
 * records which (operationId, status) pairs were exercised.
 */
public final class Api {
  /**
   * Shared responses of {@code openapi.yaml} that the HTTP edge answers for any operation
   * (malformed path or query, body too large or not JSON, request line or headers too long):
   * {@code ContractFuzzTest} provokes each for every operation that declares it.
   */
  public static final Set<String> EDGE_RESPONSES =
      Set.of("MalformedRequest", "PayloadTooLarge", "UnsupportedMediaType", "UriTooLong", "HeadersTooLarge");
  /**
   * Shared responses of the rate limits, which any limited operation may answer (429
   * {@code RATE_LIMITED}): {@code LimitsTest} provokes it for every operation that declares it.
   */
  public static final Set<String> LIMIT_RESPONSES = Set.of("RateLimited");
  /** Shared responses for failures of the server or its services, declared but never provoked per operation. */
  public static final Set<String> SERVER_FAILURES = Set.of("InternalError", "Unavailable", "SendUnavailable", "Timeout");

  private final WebClient client;
  private final int port;
  private final ResponseValidator validator;
  private final Set<String> exercised;

  public Api(Vertx vertx, int port) {
    this(vertx, port, ConcurrentHashMap.newKeySet());
  }

  /** A client of another node that records into the same set of exercised operations. */
  public Api(Vertx vertx, int port, Set<String> exercised) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setFollowRedirects(false));
    this.port = port;
    this.validator = ResponseValidator.create(vertx, await(Contract.load(vertx)));
    this.exercised = exercised;
  }

  /** The contract as the router sees it (for coverage checks). */
  public static OpenAPIContract contract(Vertx vertx) {
    return await(Contract.load(vertx));
  }

  public int port() {
    return port;
  }

  /** "operationId status" pairs seen so far. */
  public Set<String> exercised() {
    return exercised;
  }

  /** A response, already checked against the contract. */
  public record Resp(int status, MultiMap headers, Buffer body) {
    public JsonObject json() {
      return body == null || body.length() == 0 ? null : body.toJsonObject();
    }

    public String code() {
      return json().getString("code");
    }

    public Resp expect(int expected) {
      if (status != expected) {
        fail("expected " + expected + " but got " + status + ": " + (body == null ? "" : body.toString()));
      }
      return this;
    }

    /** Asserts an error response with this status and code. */
    public Resp problem(int expected, String code) {
      expect(expected);
      assertEquals("application/problem+json", headers.get("Content-Type"), "errors are problem+json");
      assertEquals(code, code(), "error code");
      assertEquals(expected, json().getInteger("status"));
      return this;
    }
  }

  public Resp call(String operationId, HttpMethod method, String path, String token, Object body) {
    return call(operationId, method, path, token, body, Map.of());
  }

  /**
   * Sends a request to {@code /api/v1 + path}. {@code body}: a JsonObject, a raw String (sent as
   * application/json), a Buffer, or null.
   */
  public Resp call(String operationId, HttpMethod method, String path, String token, Object body, Map<String, String> headers) {
    HttpRequest<Buffer> req = client.request(method, "/api/v1" + path).timeout(15_000);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(req::putHeader);
    Future<HttpResponse<Buffer>> sent;
    if (body == null) {
      sent = req.send();
    } else {
      req.putHeader("Content-Type", headers.getOrDefault("Content-Type", "application/json"));
      Buffer buf = body instanceof JsonObject j ? j.toBuffer() : body instanceof Buffer b ? b : Buffer.buffer(body.toString());
      sent = req.sendBuffer(buf);
    }
    HttpResponse<Buffer> r = await(sent);
    return check(operationId, new Resp(r.statusCode(), r.headers(), r.body()));
  }

  /**
   * Checks a response to {@code operationId}, however it was obtained, against the contract (and
   * records it as exercised): a declared status, a body matching its schema, problem+json errors.
   */
  public Resp check(String operationId, Resp resp) {
    validate(operationId, resp);
    exercised.add(operationId + " " + resp.status());
    return resp;
  }

  private void validate(String operationId, Resp resp) {
    String contentType = resp.headers().get("Content-Type");
    if (resp.status() >= 400) {
      assertEquals(Contract.PROBLEM_JSON, contentType, "error responses are problem+json");
      contentType = "application/json"; // as named in the router's copy of the contract
    }
    Map<String, String> headers = new HashMap<>();
    ValidatableResponse vr = resp.body() == null || resp.body().length() == 0
        ? ValidatableResponse.create(resp.status(), headers)
        : ValidatableResponse.create(resp.status(), headers, resp.body(), contentType);
    try {
      await(validator.validate(vr, operationId));
    } catch (RuntimeException e) {
      fail(operationId + " answered " + resp.status() + " outside the contract: " + e.getMessage() + " body=" + resp.body());
    }
  }

  /**
   * GET (or HEAD) of a URL the server handed out (relative, e.g. an attachment's signed
   * {@code url}), unchecked: bytes are no JSON to validate. {@link #record} notes the status.
   */
  public Resp fetch(HttpMethod method, String url, String token, Map<String, String> headers) {
    HttpRequest<Buffer> req = client.request(method, url).timeout(15_000);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    headers.forEach(req::putHeader);
    HttpResponse<Buffer> r = await(req.send());
    return new Resp(r.statusCode(), r.headers(), r.body());
  }

  /** Records {@code operationId} answered {@code resp}'s status, checking only that errors with a body are problem+json. */
  public Resp record(String operationId, Resp resp) {
    if (resp.status() >= 400 && resp.body() != null && resp.body().length() > 0) {
      assertEquals(Contract.PROBLEM_JSON, resp.headers().get("Content-Type"), "error responses are problem+json");
    }
    exercised.add(operationId + " " + resp.status());
    return resp;
  }

  /** Uploads {@code bytes} as {@code fileName} (the client claims {@code claimedType}) to {@code POST /attachments}. */
  public Resp upload(String token, String fileName, String claimedType, byte[] bytes) {
    Media.Multipart mp = Media.multipart("file", fileName, claimedType, bytes);
    return call("uploadAttachment", HttpMethod.POST, "/attachments", token, mp.body(), Map.of("Content-Type", mp.contentType()));
  }

  // ---- shortcuts ---------------------------------------------------------------------------

  /** A registered and logged-in user: {id, username, email, password, access_token, refresh_token}. */
  public JsonObject newUser(String prefix) {
    String name = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
    JsonObject reg = new JsonObject().put("email", name + "@example.test").put("username", name).put("password", "correct horse");
    JsonObject user = call("register", HttpMethod.POST, "/auth/register", null, reg).expect(201).json();
    JsonObject login = call("login", HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("email", reg.getString("email")).put("password", "correct horse")).expect(200).json();
    return user.put("password", "correct horse").put("access_token", login.getString("access_token"))
        .put("refresh_token", login.getString("refresh_token"));
  }

  public JsonObject newRoom(JsonObject owner, boolean isPrivate) {
    return call("createRoom", HttpMethod.POST, "/rooms", owner.getString("access_token"),
        new JsonObject().put("name", "room " + UUID.randomUUID().toString().substring(0, 6)).put("is_private", isPrivate))
        .expect(201).json();
  }

  /** A public room of {@code owner} that {@code members} joined; its id. */
  public long sharedRoom(JsonObject owner, JsonObject... members) {
    long roomId = newRoom(owner, false).getLong("id");
    for (JsonObject m : members) {
      join(m, roomId);
    }
    return roomId;
  }

  public void join(JsonObject user, long roomId) {
    call("joinRoom", HttpMethod.POST, "/rooms/" + roomId + "/join", user.getString("access_token"), null).expect(200);
  }

  public JsonObject send(JsonObject user, long roomId, String body) {
    return call("sendMessage", HttpMethod.POST, "/rooms/" + roomId + "/messages", user.getString("access_token"),
        new JsonObject().put("body", body)).expect(201).json();
  }

  public JsonObject history(JsonObject user, long roomId, String query) {
    return call("listMessages", HttpMethod.GET, "/rooms/" + roomId + "/messages" + query, user.getString("access_token"), null)
        .expect(200).json();
  }

  /** Waits for a future from a test thread (never from an event loop). */
  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
