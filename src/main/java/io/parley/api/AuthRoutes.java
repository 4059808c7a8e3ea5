package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.query;
import static io.parley.api.RouteSupport.userId;
import static io.parley.bus.Addresses.*;

import io.parley.auth.AccessTokens;
import io.parley.auth.Passwords;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.limits.LoginThrottle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.UUID;

/**
 * The account routes ({@code /auth/*}): register, log in and out, refresh (rotating refresh
 * tokens, also as an HttpOnly cookie for browsers), e-mail verification, password reset and
 * change. Passwords are hashed and checked with bcrypt on worker threads ({@link Passwords});
 * failed logins are throttled ({@link LoginThrottle}).
 */
final class AuthRoutes {
  /** Name of the HttpOnly cookie that carries the refresh token for browser clients. */
  static final String REFRESH_COOKIE = "parley_refresh";
  private static final String BASE = "/api/v1";

  private final Vertx vertx;
  private final RouteSupport api;
  private final AccessTokens tokens;
  private final Passwords passwords;
  private final LoginThrottle throttle;
  private final JsonObject auth;
  private final boolean secureCookies;
  /** auth.admin_emails, lower case. */
  private final java.util.Set<String> adminEmails;
  /** A hash to check passwords of unknown accounts against, so timing does not tell them apart. */
  private String dummyHash;

  /**
   * @param auth the {@code auth} config section (with {@code jwt_secret})
   * @param throttle failed-login counting (cluster-wide, in the limits' Redis)
   */
  AuthRoutes(Vertx vertx, RouteSupport api, AccessTokens tokens, JsonObject auth, boolean secureCookies,
             LoginThrottle throttle) {
    this.vertx = vertx;
    this.api = api;
    this.tokens = tokens;
    this.auth = auth;
    this.secureCookies = secureCookies;
    this.passwords = new Passwords(vertx, auth.getInteger("bcrypt_cost", 10));
    this.throttle = throttle;
    this.adminEmails = auth.getJsonArray("admin_emails", new io.vertx.core.json.JsonArray()).stream()
        .map(e -> String.valueOf(e).trim().toLowerCase(java.util.Locale.ROOT)).filter(e -> !e.isEmpty())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** Hashes the dummy password (on a worker thread); the routes are ready when it completes. */
  Future<Void> prepare() {
    return passwords.hash(UUID.randomUUID().toString()).onSuccess(h -> dummyHash = h).mapEmpty();
  }

  void mount(RouterBuilder rb) {
    on(rb, "register", this::register);
    on(rb, "login", this::login);
    on(rb, "refresh", this::refresh);
    on(rb, "logout", this::logout);
    on(rb, "verifyEmailLink", this::verifyEmailLink);
    on(rb, "verifyEmail", this::verifyEmail);
    on(rb, "resendVerification", this::resendVerification);
    on(rb, "forgotPassword", this::forgotPassword);
    on(rb, "resetPassword", this::resetPassword);
    on(rb, "changePassword", this::changePassword);
  }

  private void register(RoutingContext rc) {
    JsonObject b = body(rc);
    String password = checkedPassword(b.getString("password"), "password");
    passwords.hash(password)
        .compose(hash -> api.request(rc, USERS_CREATE, withToken(new JsonObject()
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
  static JsonObject withToken(JsonObject body, long ttlS) {
    String token = AccessTokens.newRefreshToken();
    return body.put("token", token).put("token_hash", AccessTokens.hash(token)).put("ttl_s", ttlS);
  }

  private void login(RoutingContext rc) {
    JsonObject b = body(rc);
    String email = b.getString("email").trim();
    String password = b.getString("password");
    String ip = HttpLimits.clientIp(rc);
    ParleyException bad = new ParleyException(ErrorCode.UNAUTHORIZED, "wrong e-mail or password");
    throttle.tryAttempt(email, ip).compose(decision -> {
      if (decision.retryAfterS() > 0) {
        return Future.failedFuture(new ParleyException(ErrorCode.RATE_LIMITED, "too many failed logins from your address; "
            + "try again in " + decision.retryAfterS() + " s", new JsonObject().put("retry_after_s", decision.retryAfterS())));
      }
      Future<Void> slowed = decision.delayMs() == 0 ? Future.succeededFuture()
          : vertx.timer(decision.delayMs()).mapEmpty(); // an account under attack: every attempt waits
      return slowed.compose(x -> api.request(rc, USERS_CREDENTIALS, new JsonObject().put("email", email)))
          .recover(err -> err instanceof ParleyException pe && pe.code() == ErrorCode.NOT_FOUND
              ? Future.succeededFuture(new JsonObject())
              : Future.failedFuture(err))
          .compose(cred -> {
            String hash = cred.getString("password_hash");
            // the same work for unknown accounts, so timing does not reveal which e-mails exist
            return passwords.verify(password, hash == null ? dummyHash : hash).compose(ok -> {
              if (ok && hash != null) {
                return throttle.succeeded(email, ip, decision).map(cred.getJsonObject("user"));
              }
              return Future.failedFuture(bad); // already counted by tryAttempt
            });
          });
    })
        .compose(user -> admitted(rc, user))
        .compose(user -> issuePair(rc, user))
        .onSuccess(pair -> json(rc, 200, pair))
        .onFailure(rc::fail);
  }

  /**
   * A user about to get tokens: refused when disabled; made an admin first when their verified
   * e-mail is in {@code auth.admin_emails} (the bootstrap, audited).
   */
  private Future<JsonObject> admitted(RoutingContext rc, JsonObject user) {
    if ("disabled".equals(user.getString("status"))) {
      return Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "this account is disabled"));
    }
    boolean listed = adminEmails.contains(user.getString("email", "").toLowerCase(java.util.Locale.ROOT));
    if (listed && user.getBoolean("email_verified", false) && !"admin".equals(user.getString("role"))) {
      return api.request(rc, ADMIN_BOOTSTRAP, new JsonObject().put("user_id", user.getLong("id")).put("role", user.getString("role")));
    }
    return Future.succeededFuture(user);
  }

  /** GET link from the verification mail: verifies, then lands on the web client, which says so. */
  private void verifyEmailLink(RoutingContext rc) {
    String token = query(rc, "token");
    api.request(rc, TOKENS_USE, new JsonObject().put("purpose", "verify_email").put("token_hash", AccessTokens.hash(token)))
        .onComplete(ar -> {
          String outcome = ar.succeeded() ? "email_verified=1"
              : "email_verified=0&reason=" + Bus.toParley(ar.cause()).code().name();
          rc.response().setStatusCode(303).putHeader("Location", "/?" + outcome).end();
        });
  }

  private void verifyEmail(RoutingContext rc) {
    api.call(rc, TOKENS_USE, new JsonObject().put("purpose", "verify_email")
        .put("token_hash", AccessTokens.hash(body(rc).getString("token"))), 200);
  }

  private void resendVerification(RoutingContext rc) {
    api.call(rc, VERIFICATION_RESEND, withToken(new JsonObject().put("user_id", userId(rc))
        .put("min_interval_s", auth.getInteger("resend_interval_s", 60)), auth.getLong("verify_token_ttl_s", 172_800L)), 202);
  }

  private void forgotPassword(RoutingContext rc) {
    api.call(rc, PASSWORD_FORGOT, withToken(new JsonObject().put("email", body(rc).getString("email").trim())
        .put("min_interval_s", auth.getInteger("resend_interval_s", 60)), auth.getLong("reset_token_ttl_s", 3600L)), 202);
  }

  private void resetPassword(RoutingContext rc) {
    JsonObject b = body(rc);
    String password = checkedPassword(b.getString("new_password"), "new_password");
    passwords.hash(password)
        .compose(hash -> api.request(rc, TOKENS_USE, new JsonObject().put("purpose", "reset_password")
            .put("token_hash", AccessTokens.hash(b.getString("token"))).put("password_hash", hash)))
        .onSuccess(user -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /**
   * Checks the current password, sets the new one (revoking every refresh token, and closing the
   * sockets of every other session) and logs in afresh: the sockets of this request's session
   * stay open.
   */
  private void changePassword(RoutingContext rc) {
    JsonObject b = body(rc);
    String fresh = checkedPassword(b.getString("new_password"), "new_password");
    long userId = userId(rc);
    String session = AccessTokens.session(rc.user().principal());
    api.request(rc, USERS_CREDENTIALS, new JsonObject().put("id", userId))
        .compose(cred -> passwords.verify(b.getString("current_password"),
            cred.getString("password_hash") == null ? dummyHash : cred.getString("password_hash")))
        .compose(ok -> ok ? passwords.hash(fresh)
            : Future.failedFuture(new ParleyException(ErrorCode.FORBIDDEN, "the current password is wrong",
                new JsonObject().put("field", "current_password"))))
        .compose(hash -> api.request(rc, USERS_SET_PASSWORD, new JsonObject().put("user_id", userId).put("password_hash", hash)
            .put("keep_session", session)))
        .compose(user -> issuePair(rc, user))
        .onSuccess(pair -> json(rc, 200, pair))
        .onFailure(rc::fail);
  }

  private void refresh(RoutingContext rc) {
    String old = refreshToken(rc);
    if (old == null) {
      throw new ParleyException(ErrorCode.UNAUTHORIZED, "no refresh token: send refresh_token or the " + REFRESH_COOKIE + " cookie");
    }
    String fresh = AccessTokens.newRefreshToken();
    api.request(rc, TOKENS_ROTATE, new JsonObject().put("old_hash", AccessTokens.hash(old))
            .put("new_hash", AccessTokens.hash(fresh)).put("ttl_s", tokens.refreshTtlS()))
        .compose(r -> api.request(rc, USERS_GET, new JsonObject().put("id", r.getLong("user_id")))
            .compose(user -> admitted(rc, user))
            .map(user -> pair(rc, user, fresh, r.getString("session")))) // the same session, renewed
        .onSuccess(pair -> json(rc, 200, pair))
        .onFailure(rc::fail);
  }

  private void logout(RoutingContext rc) {
    String token = refreshToken(rc);
    rc.response().addCookie(refreshCookie("").setMaxAge(0));
    if (token == null) {
      rc.response().setStatusCode(204).end();
      return;
    }
    api.call(rc, TOKENS_REVOKE, new JsonObject().put("token_hash", AccessTokens.hash(token)), 204);
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

  /** A new session (a refresh-token family) for {@code user}: its first token pair. */
  private Future<JsonObject> issuePair(RoutingContext rc, JsonObject user) {
    String refresh = AccessTokens.newRefreshToken();
    return api.request(rc, TOKENS_ISSUE, new JsonObject().put("user_id", user.getLong("id"))
            .put("token_hash", AccessTokens.hash(refresh)).put("ttl_s", tokens.refreshTtlS()))
        .map(issued -> pair(rc, user, refresh, issued.getString("session")));
  }

  /** The token pair of the login/refresh responses (the access token names {@code session}); also sets the refresh cookie. */
  private JsonObject pair(RoutingContext rc, JsonObject user, String refresh, String session) {
    rc.response().addCookie(refreshCookie(refresh));
    return new JsonObject()
        .put("access_token", tokens.issueAccess(user, session))
        .put("refresh_token", refresh)
        .put("token_type", "Bearer")
        .put("expires_in", tokens.accessTtlS())
        .put("user", user);
  }

}
