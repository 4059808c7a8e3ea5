package io.parley.auth;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Access and refresh tokens.
 *
 * <p>Access tokens are JWTs (RFC 7519) signed with HS256 using the {@code auth.jwt_secret};
 * claims: {@code sub} (user id, decimal string), {@code username}, {@code role}, {@code sid} (the
 * session: the login's refresh-token family, kept by every refresh), {@code iat}, {@code exp}
 * ({@code auth.access_token_ttl_s} seconds). Refresh tokens are 32 random bytes, base64url; only
 * their SHA-256 is stored.
 *
 * <p>A token is valid only when its signature and expiry are, and its {@code sub} is a user id
 * (a string of decimal digits, a positive {@code long}): {@link #jwt()} (the HTTP API's handler)
 * and {@link #verify} (the WebSocket gateway) both refuse anything else as {@code UNAUTHORIZED}.
 */
public final class AccessTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JWTAuth jwt;
  private final int accessTtlS;
  private final long refreshTtlS;

  /** @param auth the {@code auth} config section, with {@code jwt_secret} filled in */
  public AccessTokens(Vertx vertx, JsonObject auth) {
    this.jwt = new SubjectChecking(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("HS256").setBuffer(auth.getString("jwt_secret")))));
    this.accessTtlS = auth.getInteger("access_token_ttl_s", 900);
    this.refreshTtlS = auth.getLong("refresh_token_ttl_s", 2_592_000L);
  }

  /** The provider for {@code JWTAuthHandler}: it authenticates only tokens whose {@code sub} is a user id. */
  public JWTAuth jwt() {
    return jwt;
  }

  public int accessTtlS() {
    return accessTtlS;
  }

  public long refreshTtlS() {
    return refreshTtlS;
  }

  /**
   * A signed access token for {@code user} ({id, username, role, ...}) in {@code session} (the
   * login's refresh-token family; null: none): {@code sub} is the id, {@code sid} the session, and
   * the {@code role} claim is what admin operations check until the token expires
   * ({@code access_token_ttl_s}: a demoted admin keeps access that long at most).
   */
  public String issueAccess(JsonObject user, String session) {
    JsonObject claims = new JsonObject().put("username", user.getString("username")).put("role", user.getString("role", "user"));
    if (session != null) {
      claims.put("sid", session);
    }
    return jwt.generateToken(claims,
        new JWTOptions().setAlgorithm("HS256").setSubject(String.valueOf(user.getLong("id"))).setExpiresInSeconds(accessTtlS));
  }

  /**
   * Verifies an access token; succeeds with {@code {id, username, session?}} ({@code session}:
   * its {@code sid}), fails when invalid or expired (with {@code UNAUTHORIZED} when the signature
   * holds but {@code sub} is no user id).
   */
  public Future<JsonObject> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token)).map(user -> {
      JsonObject verified = new JsonObject().put("id", userId(user.principal())).put("username", user.principal().getString("username"));
      String session = session(user.principal());
      return session == null ? verified : verified.put("session", session);
    });
  }

  /**
   * The session of a verified token's claims ({@code sid}: the refresh-token family of the login
   * it came from), or null for a token without one.
   */
  public static String session(JsonObject claims) {
    return claims != null && claims.getValue("sid") instanceof String sid ? sid : null;
  }

  /**
   * The user id in the {@code sub} claim of a verified token's claims.
   *
   * @throws ParleyException {@code UNAUTHORIZED} when {@code sub} is missing, not a string, or
   *     not a positive decimal {@code long}
   */
  public static long userId(JsonObject claims) {
    Object sub = claims == null ? null : claims.getValue("sub");
    if (sub instanceof String s && !s.isEmpty() && s.length() <= 19 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        long id = Long.parseLong(s);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException tooLarge) {
        // falls through to the refusal
      }
    }
    throw new ParleyException(ErrorCode.UNAUTHORIZED, "the access token names no user");
  }

  /** A new random refresh token (base64url, no padding). */
  public static String newRefreshToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** SHA-256 of a refresh token, as stored. */
  public static Buffer hash(String refreshToken) {
    try {
      return Buffer.buffer(MessageDigest.getInstance("SHA-256").digest(refreshToken.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JWTAuth that also refuses tokens whose {@code sub} is not a user id (see {@link #userId}). */
  private record SubjectChecking(JWTAuth delegate) implements JWTAuth {
    @Override
    public Future<User> authenticate(Credentials credentials) {
      return delegate.authenticate(credentials).map(user -> {
        userId(user.principal()); // throws UNAUTHORIZED, which fails the future
        return user;
      });
    }

    @Override
    public String generateToken(JsonObject claims, JWTOptions options) {
      return delegate.generateToken(claims, options);
    }

    @Override
    public String generateToken(JsonObject claims) {
      return delegate.generateToken(claims);
    }
  }
}
