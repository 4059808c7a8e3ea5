package io.parley.api;

import static io.parley.bus.Addresses.*;

import io.parley.auth.AccessTokens;
import io.parley.auth.Passwords;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.StorableText;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: a router built from {@code openapi.yaml} (vertx-web-openapi-router) mounted at
 * {@code /api/v1}, plus health, the contract, Swagger UI at {@code /docs/}.
 *
 * <p>Handlers validate nothing by hand that the contract already checks; they translate a
 * validated request into one event-bus request (see {@link io.parley.bus.Addresses}) and the
 * reply into the response. Errors are problem+json via {@link Problems}.
 *
 * <p>Config (section {@code api}): {@code host}, {@code port}, {@code body_limit_bytes},
 * {@code request_timeout_ms}, {@code auth} (with {@code jwt_secret}).
 */
public class ApiVerticle extends VerticleBase {
  /** Routing-context key of the request id. */
  static final String REQUEST_ID = "request_id";
  /** Name of the HttpOnly cookie that carries the refresh token for browser clients. */
  public static final String REFRESH_COOKIE = "parley_refresh";
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  private static final String BASE = "/api/v1";

  private Bus bus;
  private AccessTokens tokens;
  private Passwords passwords;
  private LoginThrottle throttle;
  private JsonObject auth;
  private String dummyHash;
  private HttpServer server;
  private boolean secureCookies;
  private JsonObject clientConfig;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    auth = cfg.getJsonObject("auth");
    throttle = LoginThrottle.of(vertx, auth.getInteger("login_max_failures_per_account", 5),
        auth.getInteger("login_max_failures_per_ip", 30), auth.getInteger("login_slowdown_after", 10),
        auth.getLong("login_window_s", 900L));
    bus = new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L));
    tokens = new AccessTokens(vertx, auth);
    passwords = new Passwords(vertx, auth.getInteger("bcrypt_cost", 10));
    secureCookies = cfg.getBoolean("secure_cookies", false);
    String wsUrl = cfg.getString("public_ws_url", "");
    clientConfig = new JsonObject()
        .put("ws_url", wsUrl.isBlank() ? null : wsUrl)
        .put("gateway_port", cfg.getInteger("gateway_port", 8081))
        .put("max_body_chars", cfg.getInteger("max_body_chars", 4000))
        .put("node", cfg.getString("node_name", ""));

    String[] swaggerVersion = new String[1];
    return passwords.hash(UUID.randomUUID().toString())
        .onSuccess(h -> dummyHash = h)
        .compose(h -> vertx.executeBlocking(ApiVerticle::webjarVersion)) // a classpath read: off the event loop
        .onSuccess(v -> swaggerVersion[0] = v)
        .compose(v -> Contract.load(vertx))
        .compose(contract -> {
          Router router = Router.router(vertx);
          router.route().handler(HttpEdge::requestId).handler(HttpEdge::wellFormedUri);
          router.route(BASE + "/*").subRouter(apiRouter(contract, cfg.getLong("body_limit_bytes", 65536L)));
          router.get("/health/live").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
          router.get("/health/ready").handler(this::ready);
          router.get("/openapi.yaml").handler(rc -> rc.response().putHeader("Content-Type", "application/yaml").sendFile("openapi.yaml"));
          mountSwaggerUi(router, swaggerVersion[0]);
          mountWebClient(router);
          for (int status = 400; status < 600; status++) { // every failure answers problem+json
            router.errorHandler(status, Problems::handle);
          }
          server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true)
                  .setMaxInitialLineLength(4096).setMaxHeaderSize(8192)) // 414 and 431 beyond: the contract states both
              .invalidRequestHandler(HttpEdge.invalidRequests());
          return server.requestHandler(router).listen(cfg.getInteger("port", 8080), cfg.getString("host", "0.0.0.0"))
              .onSuccess(s -> LOG.info("HTTP API on port {}: /api/v1, Swagger UI /docs/, contract /openapi.yaml", s.actualPort()));
        });
  }

  private Router apiRouter(io.vertx.openapi.contract.OpenAPIContract contract, long bodyLimit) {
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.rootHandler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    rb.security("bearerAuth").httpHandler(JWTAuthHandler.create(tokens.jwt()));

    on(rb, "register", this::register);
    on(rb, "login", this::login);
    on(rb, "refresh", this::refresh);
    on(rb, "logout", this::logout);
    on(rb, "getClientConfig", rc -> json(rc, 200, clientConfig));
    on(rb, "verifyEmailLink", this::verifyEmailLink);
    on(rb, "verifyEmail", this::verifyEmail);
    on(rb, "resendVerification", this::resendVerification);
    on(rb, "forgotPassword", this::forgotPassword);
    on(rb, "resetPassword", this::resetPassword);
    on(rb, "changePassword", this::changePassword);
    on(rb, "updateMe", rc -> call(rc, USERS_UPDATE, body(rc).put("user_id", userId(rc)), 200));
    on(rb, "inviteUser", this::inviteUser);
    on(rb, "devMailbox", rc -> request(rc, MAIL_DEV_MAILBOX, new JsonObject())
        .recover(err -> Bus.toParley(err).code() == ErrorCode.UNAVAILABLE
            ? Future.failedFuture(new ParleyException(ErrorCode.NOT_FOUND, "no development mailbox in this cluster"))
            : Future.failedFuture(err))
        .onSuccess(r -> json(rc, 200, r))
        .onFailure(rc::fail));
    on(rb, "getMe", rc -> call(rc, USERS_GET, new JsonObject().put("id", userId(rc)), 200));
    on(rb, "searchUsers", rc -> call(rc, USERS_SEARCH, page(rc).put("q", query(rc, "q")), 200));

    on(rb, "createRoom", rc -> call(rc, ROOMS_CREATE, body(rc).put("user_id", userId(rc)), 201));
    on(rb, "listRooms", rc -> call(rc, ROOMS_LIST_MINE, page(rc).put("user_id", userId(rc)), 200));
    on(rb, "listPublicRooms", rc -> call(rc, ROOMS_LIST_PUBLIC, page(rc).put("user_id", userId(rc)).put("q", query(rc, "q")), 200));
    on(rb, "getRoom", rc -> call(rc, ROOMS_GET, inRoom(rc), 200));
    on(rb, "updateRoom", rc -> call(rc, ROOMS_UPDATE, body(rc).mergeIn(inRoom(rc)), 200));
    on(rb, "deleteRoom", rc -> call(rc, ROOMS_DELETE, inRoom(rc), 204));
    on(rb, "joinRoom", rc -> call(rc, ROOMS_JOIN, inRoom(rc), 200));
    on(rb, "leaveRoom", rc -> call(rc, ROOMS_LEAVE, inRoom(rc), 204));
    on(rb, "listMembers", this::listMembers);
    on(rb, "markRead", rc -> call(rc, MEMBERS_READ, inRoom(rc).put("seq", body(rc).getLong("seq")), 200));
    on(rb, "getUnread", rc -> call(rc, UNREAD, new JsonObject().put("user_id", userId(rc)), 200));
    // presence is visible to those who share a room with the user; others are left out of the answer
    on(rb, "getPresence", rc -> request(rc, USERS_SHARING_ROOM, new JsonObject().put("user_id", userId(rc))
            .put("user_ids", validated(rc).getQuery().get("user_ids").getJsonArray()))
        .compose(visible -> request(rc, PRESENCE_QUERY, new JsonObject().put("user_ids", visible.getJsonArray("user_ids"))))
        .onSuccess(r -> json(rc, 200, r))
        .onFailure(rc::fail));
    on(rb, "addMember", rc -> call(rc, MEMBERS_ADD, inRoom(rc).put("target_user_id", body(rc).getLong("user_id")), 201));
    on(rb, "removeMember", rc -> call(rc, MEMBERS_REMOVE, inRoom(rc).put("target_user_id", pathLong(rc, "user_id")), 204));
    on(rb, "openConversation", rc -> request(rc, CONVERSATIONS_OPEN,
        new JsonObject().put("user_id", userId(rc)).put("peer_id", body(rc).getLong("user_id")))
        .onSuccess(r -> json(rc, r.getBoolean("created") ? 201 : 200, r.getJsonObject("room")))
        .onFailure(rc::fail));

    on(rb, "listMessages", rc -> {
      JsonObject b = inRoom(rc).put("limit", queryInt(rc, "limit", 50));
      Long before = queryLong(rc, "before_seq");
      Long after = queryLong(rc, "after_seq");
      if (before != null) {
        b.put("before_seq", before);
      }
      if (after != null) {
        b.put("after_seq", after);
      }
      // the page comes encoded from persistence and goes out as it is
      bus.requestEncoded(MESSAGES_HISTORY, b, rc.get(REQUEST_ID))
          .onSuccess(page -> json(rc, 200, page))
          .onFailure(rc::fail);
    });
    on(rb, "sendMessage", rc -> request(rc, MESSAGES_SEND, body(rc).mergeIn(inRoom(rc)))
        .onSuccess(r -> json(rc, r.getBoolean("duplicate") ? 200 : 201, r.getJsonObject("message")))
        .onFailure(rc::fail));
    on(rb, "editMessage", rc -> request(rc, MESSAGES_EDIT,
        body(rc).put("user_id", userId(rc)).put("message_id", pathLong(rc, "message_id")))
        .onSuccess(r -> json(rc, 200, r.getJsonObject("message")))
        .onFailure(rc::fail));
    on(rb, "deleteMessage", rc -> call(rc, MESSAGES_DELETE,
        new JsonObject().put("user_id", userId(rc)).put("message_id", pathLong(rc, "message_id")), 204));

    Router api = rb.createRouter();
    api.route().last().handler(rc -> rc.fail(404));
    return api;
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  // ---- accounts ----------------------------------------------------------------------------

  private void register(RoutingContext rc) {
    JsonObject b = body(rc);
    String password = checkedPassword(b.getString("password"), "password");
    passwords.hash(password)
        .compose(hash -> request(rc, USERS_CREATE, withToken(new JsonObject()
            .put("email", b.getString("email").trim())
            .put("username", b.getString("username"))
            .put("first_name", b.getString("first_name"))
            .put("last_name", b.getString("last_name"))
            .put("password_hash", hash), auth.getLong("verify_token_ttl_s", 172_800L))))
        .onSuccess(user -> json(rc, 201, user))
        .onFailure(rc::fail);
  }

  private static String checkedPassword(String password, String field) {
    if (Passwords.tooLong(password)) {
      throw ParleyException.invalid(field, field + " is longer than 72 bytes");
    }
    return password;
  }

  /** Adds a new mailed-link token (raw, for the mail, and its hash, for the database) to a request. */
  private static JsonObject withToken(JsonObject body, long ttlS) {
    String token = AccessTokens.newRefreshToken();
    return body.put("token", token).put("token_hash", AccessTokens.hash(token)).put("ttl_s", ttlS);
  }

  private void login(RoutingContext rc) {
    JsonObject b = body(rc);
    String email = b.getString("email").trim();
    String password = b.getString("password");
    String ip = rc.request().remoteAddress() == null ? "?" : rc.request().remoteAddress().hostAddress();
    LoginThrottle.Decision decision = throttle.tryAttempt(email, ip);
    if (decision.retryAfterS() > 0) {
      throw new ParleyException(ErrorCode.RATE_LIMITED, "too many failed logins from your address; try again in "
          + decision.retryAfterS() + " s", new JsonObject().put("retry_after_s", decision.retryAfterS()));
    }
    ParleyException bad = new ParleyException(ErrorCode.UNAUTHORIZED, "wrong e-mail or password");
    Future<Void> slowed = decision.delayMs() == 0 ? Future.succeededFuture()
        : vertx.timer(decision.delayMs()).mapEmpty(); // an account under attack: every attempt waits
    slowed.compose(x -> request(rc, USERS_CREDENTIALS, new JsonObject().put("email", email)))
        .recover(err -> err instanceof ParleyException pe && pe.code() == ErrorCode.NOT_FOUND
            ? Future.succeededFuture(new JsonObject())
            : Future.failedFuture(err))
        .compose(cred -> {
          String hash = cred.getString("password_hash");
          // the same work for unknown accounts, so timing does not reveal which e-mails exist
          return passwords.verify(password, hash == null ? dummyHash : hash).compose(ok -> {
            if (ok && hash != null) {
              throttle.succeeded(email, ip);
              return Future.succeededFuture(cred.getJsonObject("user"));
            }
            return Future.failedFuture(bad); // already counted by tryAttempt
          });
        })
        .compose(user -> issuePair(rc, user))
        .onSuccess(pair -> json(rc, 200, pair))
        .onFailure(rc::fail);
  }

  /** GET link from the verification mail: verifies, then lands on the web client, which says so. */
  private void verifyEmailLink(RoutingContext rc) {
    String token = query(rc, "token");
    request(rc, TOKENS_USE, new JsonObject().put("purpose", "verify_email").put("token_hash", AccessTokens.hash(token)))
        .onComplete(ar -> {
          String outcome = ar.succeeded() ? "email_verified=1"
              : "email_verified=0&reason=" + Bus.toParley(ar.cause()).code().name();
          rc.response().setStatusCode(303).putHeader("Location", "/?" + outcome).end();
        });
  }

  private void verifyEmail(RoutingContext rc) {
    call(rc, TOKENS_USE, new JsonObject().put("purpose", "verify_email")
        .put("token_hash", AccessTokens.hash(body(rc).getString("token"))), 200);
  }

  private void resendVerification(RoutingContext rc) {
    call(rc, VERIFICATION_RESEND, withToken(new JsonObject().put("user_id", userId(rc))
        .put("min_interval_s", auth.getInteger("resend_interval_s", 60)), auth.getLong("verify_token_ttl_s", 172_800L)), 202);
  }

  private void forgotPassword(RoutingContext rc) {
    call(rc, PASSWORD_FORGOT, withToken(new JsonObject().put("email", body(rc).getString("email").trim())
        .put("min_interval_s", auth.getInteger("resend_interval_s", 60)), auth.getLong("reset_token_ttl_s", 3600L)), 202);
  }

  private void resetPassword(RoutingContext rc) {
    JsonObject b = body(rc);
    String password = checkedPassword(b.getString("new_password"), "new_password");
    passwords.hash(password)
        .compose(hash -> request(rc, TOKENS_USE, new JsonObject().put("purpose", "reset_password")
            .put("token_hash", AccessTokens.hash(b.getString("token"))).put("password_hash", hash)))
        .onSuccess(user -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /** Checks the current password, sets the new one (revoking every refresh token) and logs in afresh. */
  private void changePassword(RoutingContext rc) {
    JsonObject b = body(rc);
    String fresh = checkedPassword(b.getString("new_password"), "new_password");
    long userId = userId(rc);
    request(rc, USERS_CREDENTIALS, new JsonObject().put("id", userId))
        .compose(cred -> passwords.verify(b.getString("current_password"),
            cred.getString("password_hash") == null ? dummyHash : cred.getString("password_hash")))
        .compose(ok -> ok ? passwords.hash(fresh)
            : Future.failedFuture(new ParleyException(ErrorCode.FORBIDDEN, "the current password is wrong",
                new JsonObject().put("field", "current_password"))))
        .compose(hash -> request(rc, USERS_SET_PASSWORD, new JsonObject().put("user_id", userId).put("password_hash", hash)))
        .compose(user -> issuePair(rc, user))
        .onSuccess(pair -> json(rc, 200, pair))
        .onFailure(rc::fail);
  }

  private void inviteUser(RoutingContext rc) {
    String email = body(rc).getString("email").trim();
    String local = email.substring(0, Math.max(0, email.indexOf('@'))).replaceAll("[^A-Za-z0-9_.-]", "");
    String base = local.length() < 3 ? "user" : local.substring(0, Math.min(local.length(), 24));
    String username = base + "_" + UUID.randomUUID().toString().substring(0, 6);
    call(rc, USERS_INVITE, withToken(new JsonObject().put("inviter_id", userId(rc)).put("email", email)
        .put("username", username), auth.getLong("invite_token_ttl_s", 604_800L)), 201);
  }

  private void refresh(RoutingContext rc) {
    String old = refreshToken(rc);
    if (old == null) {
      throw new ParleyException(ErrorCode.UNAUTHORIZED, "no refresh token: send refresh_token or the " + REFRESH_COOKIE + " cookie");
    }
    String fresh = AccessTokens.newRefreshToken();
    request(rc, TOKENS_ROTATE, new JsonObject().put("old_hash", AccessTokens.hash(old))
            .put("new_hash", AccessTokens.hash(fresh)).put("ttl_s", tokens.refreshTtlS()))
        .compose(r -> request(rc, USERS_GET, new JsonObject().put("id", r.getLong("user_id"))))
        .onSuccess(user -> json(rc, 200, pair(rc, user, fresh)))
        .onFailure(rc::fail);
  }

  private void logout(RoutingContext rc) {
    String token = refreshToken(rc);
    rc.response().addCookie(refreshCookie("").setMaxAge(0));
    if (token == null) {
      rc.response().setStatusCode(204).end();
      return;
    }
    call(rc, TOKENS_REVOKE, new JsonObject().put("token_hash", AccessTokens.hash(token)), 204);
  }

  /** The refresh token from the body, else from the HttpOnly cookie; null when neither. */
  private static String refreshToken(RoutingContext rc) {
    String fromBody = body(rc).getString("refresh_token");
    if (fromBody != null) {
      return fromBody;
    }
    Cookie cookie = rc.request().getCookie(REFRESH_COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /**
   * The refresh token as an HttpOnly, SameSite=Strict cookie scoped to {@code /api/v1/auth}, so
   * a browser client never has to keep it where scripts can read it.
   */
  private Cookie refreshCookie(String value) {
    return Cookie.cookie(REFRESH_COOKIE, value).setHttpOnly(true).setSecure(secureCookies)
        .setSameSite(CookieSameSite.STRICT).setPath(BASE + "/auth").setMaxAge(tokens.refreshTtlS());
  }

  private Future<JsonObject> issuePair(RoutingContext rc, JsonObject user) {
    String refresh = AccessTokens.newRefreshToken();
    return request(rc, TOKENS_ISSUE, new JsonObject().put("user_id", user.getLong("id"))
            .put("token_hash", AccessTokens.hash(refresh)).put("ttl_s", tokens.refreshTtlS()))
        .map(x -> pair(rc, user, refresh));
  }

  /** The token pair of the login/refresh responses; also sets the refresh cookie. */
  private JsonObject pair(RoutingContext rc, JsonObject user, String refresh) {
    rc.response().addCookie(refreshCookie(refresh));
    return new JsonObject()
        .put("access_token", tokens.issueAccess(user))
        .put("refresh_token", refresh)
        .put("token_type", "Bearer")
        .put("expires_in", tokens.accessTtlS())
        .put("user", user);
  }

  /** Members with their read markers and, when presence answers, whether they are online (else null). */
  private void listMembers(RoutingContext rc) {
    request(rc, MEMBERS_LIST, page(rc).put("limit", queryInt(rc, "limit", 100)).mergeIn(inRoom(rc)))
        .compose(page -> {
          io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
          page.getJsonArray("items").forEach(m -> ids.add(((JsonObject) m).getLong("user_id")));
          return request(rc, PRESENCE_QUERY, new JsonObject().put("user_ids", ids))
              .timeout(1, TimeUnit.SECONDS) // presence is optional here: never slow the list down
              .map(p -> {
                java.util.Map<Long, String> status = new java.util.HashMap<>();
                p.getJsonArray("items").forEach(i -> status.put(((JsonObject) i).getLong("user_id"), ((JsonObject) i).getString("status")));
                page.getJsonArray("items").forEach(m -> ((JsonObject) m).put("online", "online".equals(status.get(((JsonObject) m).getLong("user_id")))));
                return page;
              })
              .otherwise(err -> {
                page.getJsonArray("items").forEach(m -> ((JsonObject) m).putNull("online")); // presence degraded
                return page;
              });
        })
        .onSuccess(page -> json(rc, 200, page))
        .onFailure(rc::fail);
  }

  // ---- operations --------------------------------------------------------------------------

  /**
   * Ready when the database and the cluster answer. Presence is reported but not required (chat
   * works without Redis): UP, DEGRADED (Redis unreachable) or ABSENT (no presence verticle). So
   * is this node's gateway: UP, DEGRADED (it cannot accept connections, e.g. out of file
   * descriptors) or ABSENT, with its counters under {@code gateway}.
   */
  private void ready(RoutingContext rc) {
    Future<?> db = request(rc, PERSISTENCE_HEALTH, new JsonObject());
    Future<?> cluster = config().getBoolean("cluster_enabled", true)
        ? vertx.sharedData().getAsyncMap("parley.health").compose(m -> m.get("ping")).timeout(2, TimeUnit.SECONDS)
        : Future.succeededFuture();
    Future<String> presence = request(rc, PRESENCE_HEALTH, new JsonObject()).timeout(1, TimeUnit.SECONDS).map("UP")
        .otherwise(err -> {
          ParleyException pe = Bus.toParley(err);
          return pe.details() != null && "no_handlers".equals(pe.details().getString("reason")) ? "ABSENT" : "DEGRADED";
        });
    Future<JsonObject> gateway = vertx.eventBus().<JsonObject>request(GATEWAY_HEALTH, new JsonObject(),
            new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true).setSendTimeout(1000))
        .map(io.vertx.core.eventbus.Message::body);
    Future.join(db, cluster, presence, gateway).onComplete(done -> {
      boolean up = db.succeeded() && cluster.succeeded();
      JsonObject checks = new JsonObject()
          .put("database", db.succeeded() ? "UP" : "DOWN")
          .put("cluster", cluster.succeeded() ? "UP" : "DOWN")
          .put("presence", presence.result())
          .put("gateway", gateway.failed() ? "ABSENT" : gateway.result().getBoolean("accept_failing") ? "DEGRADED" : "UP");
      JsonObject answer = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
      if (gateway.succeeded()) {
        answer.put("gateway", gateway.result());
      }
      json(rc, up ? 200 : 503, answer);
    });
  }

  private void mountSwaggerUi(Router router, String version) {
    router.get("/docs").handler(rc -> {
      if (rc.request().path().equals("/docs")) {
        rc.redirect("/docs/");
      } else {
        rc.next();
      }
    });
    router.get("/docs/swagger-initializer.js").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/javascript")
        .end("window.onload = function () {\n"
            + "  window.ui = SwaggerUIBundle({ url: '/openapi.yaml', dom_id: '#swagger-ui', deepLinking: true,\n"
            + "    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n"
            + "};\n"));
    router.route("/docs/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/" + version));
  }

  /**
   * The web client (static files in {@code webroot/}) at {@code /}, with a Content Security
   * Policy that allows only our own scripts and styles, and WebSocket connections.
   */
  private void mountWebClient(Router router) {
    router.route("/*").handler(rc -> {
      rc.response()
          .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
              + "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("Cache-Control", "no-cache");
      rc.next();
    });
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html").setDefaultContentEncoding("UTF-8")
        .setCachingEnabled(false));
  }

  private static String webjarVersion() {
    try (InputStream in = ApiVerticle.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the swagger-ui webjar is missing", e);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * Binds {@code handler} to an operation, after validation; first refuses a body with text that
   * PostgreSQL cannot store (in any string, keys included; path and query: {@link HttpEdge}).
   */
  private static void on(RouterBuilder rb, String operationId, io.vertx.core.Handler<RoutingContext> handler) {
    rb.getRoute(operationId).addHandler(rc -> {
      try {
        RequestParameter body = validated(rc).getBody();
        if (body != null && !body.isNull()) {
          StorableText.requireAll("", body.get());
        }
        handler.handle(rc);
      } catch (ParleyException e) {
        rc.fail(e);
      }
    });
  }

  private Future<JsonObject> request(RoutingContext rc, String address, JsonObject body) {
    return bus.request(address, body, rc.get(REQUEST_ID));
  }

  /** One bus request answered as JSON with {@code status} (204: no body); failures as problems. */
  private void call(RoutingContext rc, String address, JsonObject body, int status) {
    request(rc, address, body).onSuccess(r -> {
      if (status == 204) {
        rc.response().setStatusCode(204).end();
      } else {
        json(rc, status, r);
      }
    }).onFailure(rc::fail);
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    json(rc, status, body.toBuffer());
  }

  /** Sends JSON already encoded (a history page from persistence) with {@code status}. */
  private static void json(RoutingContext rc, int status, Buffer body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /** The caller's user id (the JWT handler let only tokens naming a user through). */
  private static long userId(RoutingContext rc) {
    return AccessTokens.userId(rc.user().principal());
  }

  private static ValidatedRequest validated(RoutingContext rc) {
    return rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  private static JsonObject body(RoutingContext rc) {
    RequestParameter b = validated(rc).getBody();
    return b == null || b.isNull() ? new JsonObject() : b.getJsonObject().copy();
  }

  private static long pathLong(RoutingContext rc, String name) {
    return validated(rc).getPathParameters().get(name).getLong();
  }

  private static JsonObject inRoom(RoutingContext rc) {
    return new JsonObject().put("user_id", userId(rc)).put("room_id", pathLong(rc, "room_id"));
  }

  private static RequestParameter param(RoutingContext rc, String name) {
    Map<String, RequestParameter> q = validated(rc).getQuery();
    RequestParameter p = q == null ? null : q.get(name);
    return p == null || p.isNull() ? null : p;
  }

  private static String query(RoutingContext rc, String name) {
    RequestParameter p = param(rc, name);
    return p == null ? null : p.getString();
  }

  private static Long queryLong(RoutingContext rc, String name) {
    RequestParameter p = param(rc, name);
    return p == null ? null : p.getLong();
  }

  private static int queryInt(RoutingContext rc, String name, int fallback) {
    RequestParameter p = param(rc, name);
    return p == null ? fallback : p.getInteger();
  }

  private static JsonObject page(RoutingContext rc) {
    JsonObject b = new JsonObject().put("limit", queryInt(rc, "limit", 50));
    String cursor = query(rc, "cursor");
    if (cursor != null) {
      b.put("cursor", cursor);
    }
    return b;
  }
}
