package io.parley.api;

import static io.parley.bus.Addresses.ATTACHMENTS_GET;
import static io.parley.bus.Addresses.AVATAR_GET;

import io.parley.auth.AccessTokens;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.media.MediaStorage;
import io.parley.media.SignedUrls;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves stored bytes: an attachment's {@code content} or {@code thumbnail} by its signed URL
 * ({@link SignedUrls}) or with a bearer token of a user allowed to read it, and avatars by their
 * public URL. Anything not readable, a bad or expired signature, or an unknown id is 404 alike.
 * Responses follow Synapse's serving rules: {@code X-Content-Type-Options: nosniff}, a sandboxing
 * {@code Content-Security-Policy}, {@code Content-Disposition} inline only for images and audio
 * (attachment for everything else), a strong {@code ETag} (stored bytes never change), and single
 * byte ranges (RFC 9110 §14: 206 with {@code Content-Range}, 416 when unsatisfiable) for seeking.
 */
final class Downloads {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");
  private static final String CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

  private final RouteSupport api;
  private final AccessTokens tokens;
  private final MediaStorage storage;
  private final SignedUrls urls;

  Downloads(RouteSupport api, AccessTokens tokens, MediaStorage storage, SignedUrls urls) {
    this.api = api;
    this.tokens = tokens;
    this.storage = storage;
    this.urls = urls;
  }

  /** {@code GET|HEAD /attachments/{id}/{content|thumbnail}} with {@code exp} and {@code sig}, or a bearer token. */
  void attachment(RoutingContext rc) {
    String variant = rc.pathParam("variant");
    if (!("content".equals(variant) || "thumbnail".equals(variant))) {
      rc.next(); // not ours: the contract's router answers (404)
      return;
    }
    long id;
    String sig = rc.request().getParam("sig");
    String exp = rc.request().getParam("exp");
    try {
      id = id(rc.pathParam("id"), "attachment_id");
      if (sig != null && sig.length() > 64) { // the contract's bounds, checked here: this route is served before its router
        throw new ParleyException(ErrorCode.VALIDATION_FAILED, "sig must be at most 64 characters long (not a signature of Parley's)",
            new JsonObject().put("field", "sig").put("in", "query").put("keyword", "maxLength").put("max_length", 64));
      }
      if (exp != null && exp.length() > 12) {
        throw new ParleyException(ErrorCode.VALIDATION_FAILED, "exp must be at most 12 characters long (not a signature of Parley's)",
            new JsonObject().put("field", "exp").put("in", "query").put("keyword", "maxLength").put("max_length", 12));
      }
    } catch (ParleyException e) {
      rc.fail(e);
      return;
    }
    Future<Long> reader;
    if (sig != null) {
      reader = urls.verify(id, variant, exp, sig, System.currentTimeMillis() / 1000)
          ? Future.succeededFuture(0L) : Future.failedFuture(ParleyException.notFound("attachment"));
    } else {
      String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
      reader = header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
          ? Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "a signed URL or a bearer token is required"))
          : tokens.verify(header.substring(7).trim()).map(u -> u.getLong("id"))
              .recover(err -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "the access token is not valid")));
    }
    reader.compose(user -> api.request(rc, ATTACHMENTS_GET, new JsonObject().put("id", id).put("user_id", user)))
        .onSuccess(found -> {
          JsonObject a = found.getJsonObject("attachment");
          if ("thumbnail".equals(variant)) {
            String type = found.getString("thumbnail_type");
            if (type == null) {
              rc.fail(ParleyException.notFound("thumbnail"));
              return;
            }
            serve(rc, "t/" + id, null, type, true, "\"t" + id + "\"", a.getString("name"), "private, max-age=3600");
          } else {
            String kind = a.getString("kind");
            serve(rc, "a/" + id, a.getLong("size"), a.getString("content_type"), "image".equals(kind) || "audio".equals(kind),
                "\"a" + id + "\"", a.getString("name"), "private, max-age=3600");
          }
        })
        .onFailure(rc::fail);
  }

  /** {@code GET|HEAD /users/{user_id}/avatar/{attachment_id}}: public, cached for good (the URL changes with the avatar). */
  void avatar(RoutingContext rc) {
    long userId;
    long attachmentId;
    try {
      userId = id(rc.pathParam("user_id"), "user_id");
      attachmentId = id(rc.pathParam("avatar_id"), "avatar_id");
    } catch (ParleyException e) {
      rc.fail(e);
      return;
    }
    api.request(rc, AVATAR_GET, new JsonObject().put("user_id", userId).put("attachment_id", attachmentId))
        .onSuccess(found -> serve(rc, "t/" + attachmentId, null, found.getString("thumbnail_type"), true,
            "\"t" + attachmentId + "\"", "avatar", "public, max-age=31536000, immutable"))
        .onFailure(rc::fail);
  }

  /** Answers the object {@code key} (size looked up when null) with the serving headers, a range if asked. */
  private void serve(RoutingContext rc, String key, Long knownSize, String type, boolean inline, String etag, String name,
                     String cacheControl) {
    HttpServerResponse res = rc.response();
    res.putHeader(HttpHeaders.CONTENT_TYPE, type)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader(HttpHeaders.CONTENT_DISPOSITION, (inline ? "inline" : "attachment") + "; filename*=UTF-8''"
            + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"))
        .putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl)
        .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY); // never compressed: lengths and ranges hold
    if (etag.equals(rc.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      res.setStatusCode(304).end();
      return;
    }
    Future<Long> size = knownSize != null ? Future.succeededFuture(knownSize) : storage.size(key);
    size.onFailure(err -> rc.fail(ParleyException.notFound("attachment"))).onSuccess(total -> {
      long start = 0;
      long length = total;
      String range = rc.request().getHeader("Range");
      Matcher m = range == null ? null : RANGE.matcher(range.trim());
      if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
        long first;
        long last;
        if (m.group(1).isEmpty()) { // the last n bytes
          long n = Long.parseLong(m.group(2));
          first = Math.max(0, total - n);
          last = total - 1;
        } else {
          first = Long.parseLong(m.group(1));
          last = m.group(2).isEmpty() ? total - 1 : Math.min(total - 1, Long.parseLong(m.group(2)));
        }
        if (first >= total || last < first) {
          res.headers().remove(HttpHeaders.CONTENT_TYPE).remove(HttpHeaders.CONTENT_DISPOSITION);
          res.setStatusCode(416).putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + total).end();
          return;
        }
        res.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + total);
        start = first;
        length = last - first + 1;
      }
      res.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
      if (rc.request().method() == HttpMethod.HEAD || length == 0) {
        res.end();
        return;
      }
      storage.read(key, start, length)
          .onSuccess(stream -> res.send(stream))
          .onFailure(err -> rc.fail(ParleyException.notFound("attachment")));
    });
  }

  /** A path id as the contract states it (an integer of at least 1): VALIDATION_FAILED otherwise; beyond int64: NOT_FOUND. */
  static long id(String raw, String name) {
    if (raw == null || raw.isEmpty() || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ParleyException.invalid(name, name + " must be an integer");
    }
    if (raw.length() > 19) {
      throw ParleyException.notFound(name.replace("_id", ""));
    }
    long id;
    try {
      id = Long.parseLong(raw);
    } catch (NumberFormatException tooLarge) {
      throw ParleyException.notFound(name.replace("_id", ""));
    }
    if (id < 1) {
      throw ParleyException.invalid(name, name + " must be at least 1");
    }
    return id;
  }
}
