package io.parley.api;

import static io.parley.bus.Addresses.*;

import io.parley.auth.AccessTokens;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.media.MediaInspector;
import io.parley.media.MediaSettings;
import io.parley.media.MediaStorage;
import io.parley.media.SignedUrls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.nio.file.Path;
import java.util.List;

/**
 * Attachments and avatars over HTTP: upload ({@code POST /attachments}, multipart field
 * {@code file}, streamed to disk by the body handler and refused with 413 past
 * {@code media.max_bytes}), the bytes behind signed URLs ({@link Downloads}), and the avatar
 * (set from an attachment id or an upload, cleared, served by its public URL). The upload is
 * inspected ({@link MediaInspector}: type from the bytes, dimensions, thumbnail) on a worker
 * thread, described in persistence, then stored ({@link MediaStorage}); a failed store removes the
 * description again. These routes sit in front of the contract's router (its JSON body handler
 * would refuse a multipart body); {@code openapi.yaml} documents them all the same.
 */
final class MediaRoutes {
  private static final String BASE = "/api/v1";
  /** Room for the multipart envelope around the file (boundaries, part headers). */
  private static final long ENVELOPE_BYTES = 64 * 1024;
  /** Longest an upload's body may take to arrive. */
  private static final long UPLOAD_TIMEOUT_MS = 300_000;
  /** Set once the body handler has read the whole body. */
  private static final String BODY_READ = "parley.media.body_read";

  private final Vertx vertx;
  private final RouteSupport api;
  private final AccessTokens tokens;
  private final MediaSettings settings;
  private final MediaStorage storage;
  /** Made by the first upload, on a worker thread: Tika and ImageIO scan the class path when they start. */
  private volatile MediaInspector inspector;
  private final Downloads downloads;
  /** Largest JSON body, as for the contract's routes ({@code api.body_limit_bytes}). */
  private final long jsonLimit;

  MediaRoutes(Vertx vertx, RouteSupport api, AccessTokens tokens, MediaSettings settings, MediaStorage storage,
              SignedUrls urls, long jsonLimit) {
    this.jsonLimit = jsonLimit;
    this.vertx = vertx;
    this.api = api;
    this.tokens = tokens;
    this.settings = settings;
    this.storage = storage;
    this.downloads = new Downloads(api, tokens, storage, urls);
  }

  /**
   * Binds {@code getAttachment} (the description, with fresh URLs, to a user allowed to read it);
   * the other media operations are answered before the contract's router ({@link #mount(Router)}),
   * and bound here to a 404 only so that the router builds a route for each.
   */
  void mount(io.vertx.ext.web.openapi.router.RouterBuilder rb) {
    for (String op : List.of("uploadAttachment", "downloadAttachment", "downloadThumbnail", "setAvatar", "clearAvatar",
        "getAvatar")) {
      rb.getRoute(op).addHandler(rc -> rc.fail(404));
    }
    RouteSupport.on(rb, "getAttachment", rc -> api.request(rc, ATTACHMENTS_GET,
            new JsonObject().put("id", RouteSupport.pathLong(rc, "attachment_id")).put("user_id", RouteSupport.userId(rc)))
        .onSuccess(found -> RouteSupport.json(rc, 200, found.getJsonObject("attachment"))).onFailure(rc::fail));
  }

  /** Mounts the upload, download and avatar routes on {@code router}, ahead of the contract's router. */
  void mount(Router router) {
    JWTAuthHandler auth = JWTAuthHandler.create(tokens.jwt());
    BodyHandler uploads = BodyHandler.create(Path.of(settings.dir(), "incoming").toString())
        .setBodyLimit(settings.maxBytes() + ENVELOPE_BYTES).setDeleteUploadedFilesOnEnd(true).setMergeFormAttributes(false);
    // a body is read only with a bearer token (checked in full after the body, as Vert.x orders handlers)
    PlatformHandler bearerFirst = rc -> {
      String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        rc.fail(new ParleyException(ErrorCode.UNAUTHORIZED, "a bearer token is required"));
      } else {
        guard(rc);
        rc.next();
      }
    };
    io.vertx.core.Handler<RoutingContext> bodyRead = rc -> {
      rc.put(BODY_READ, true);
      rc.next();
    };
    router.post(BASE + "/attachments").handler(bearerFirst).handler(uploads).handler(auth).handler(bodyRead)
        .handler(rc -> upload(rc).onSuccess(a -> RouteSupport.json(rc, 201, a)).onFailure(rc::fail));
    router.put(BASE + "/users/me/avatar").handler(bearerFirst).handler(uploads).handler(auth).handler(bodyRead)
        .handler(this::setAvatar);
    router.delete(BASE + "/users/me/avatar").handler(auth).handler(rc -> api.request(rc, AVATAR_SET,
            new JsonObject().put("user_id", RouteSupport.userId(rc)))
        .onSuccess(me -> RouteSupport.json(rc, 200, me)).onFailure(rc::fail));
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD)) {
      router.route(method, BASE + "/attachments/:id/:variant").handler(downloads::attachment);
      router.route(method, BASE + "/users/:user_id/avatar/:avatar_id").handler(downloads::avatar);
    }
  }

  /**
   * Watches an upload's body: a multipart body that ends without its closing boundary never
   * completes in the body handler (nothing would answer, the connection would be held), and a
   * body may not take longer than {@value #UPLOAD_TIMEOUT_MS} ms to arrive. Either is refused
   * with VALIDATION_FAILED.
   */
  private void guard(RoutingContext rc) {
    long[] endedSeen = {0};
    long started = System.nanoTime();
    long timer = vertx.setPeriodic(500, id -> {
      if (rc.response().ended() || rc.response().closed() || rc.get(BODY_READ) != null) {
        vertx.cancelTimer(id);
        return;
      }
      boolean incomplete = rc.request().isEnded() && ++endedSeen[0] >= 3;
      if (incomplete || System.nanoTime() - started > UPLOAD_TIMEOUT_MS * 1_000_000L) {
        vertx.cancelTimer(id);
        rc.fail(ParleyException.invalid("file", incomplete ? "the multipart body ended before its closing boundary"
            : "the upload took longer than " + UPLOAD_TIMEOUT_MS / 1000 + " s"));
      }
    });
    rc.addEndHandler(v -> vertx.cancelTimer(timer));
  }

  /**
   * The one file of a multipart upload, inspected, described and stored → the attachment as
   * handed out. VALIDATION_FAILED without exactly one file in field {@code file};
   * PAYLOAD_TOO_LARGE past the limit (bytes or image pixels); UNSUPPORTED_MEDIA_TYPE for a type
   * not allowed.
   */
  private Future<JsonObject> upload(RoutingContext rc) {
    long userId;
    try {
      userId = RouteSupport.userId(rc);
    } catch (ParleyException e) {
      return Future.failedFuture(e);
    }
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
      return Future.failedFuture(new ParleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the file as multipart/form-data"));
    }
    List<FileUpload> files = rc.fileUploads();
    if (files.size() != 1 || !"file".equals(files.get(0).name())) {
      return Future.failedFuture(ParleyException.invalid("file", "send one file in the multipart field 'file'"));
    }
    FileUpload file = files.get(0);
    if (file.size() > settings.maxBytes()) {
      return Future.failedFuture(tooLarge());
    }
    if (file.size() == 0) {
      return Future.failedFuture(ParleyException.invalid("file", "the file is empty"));
    }
    Path path = Path.of(file.uploadedFileName());
    return vertx.executeBlocking(() -> inspect(path), false).compose(found -> {
      JsonObject description = new JsonObject().put("user_id", userId)
          .put("kind", found.inspection().kind()).put("content_type", found.inspection().contentType())
          .put("size", file.size()).put("name", fileName(file.fileName()))
          .put("width", found.inspection().width()).put("height", found.inspection().height())
          .put("duration_ms", found.inspection().durationMs())
          .put("thumbnail_type", found.thumbnail() == null ? null : found.thumbnail().contentType());
      return api.request(rc, ATTACHMENTS_CREATE, description).compose(attachment -> {
        long id = attachment.getLong("id");
        Future<Void> thumb = found.thumbnail() == null ? Future.succeededFuture()
            : storage.put("t/" + id, found.thumbnail().file(), found.thumbnail().contentType());
        return thumb.compose(x -> storage.put("a/" + id, path, found.inspection().contentType()))
            .map(attachment)
            .recover(err -> api.request(rc, ATTACHMENTS_DISCARD, new JsonObject().put("id", id))
                .transform(x -> Future.failedFuture(new ParleyException(ErrorCode.UNAVAILABLE,
                    "the file could not be stored; try again"))));
      }).onFailure(err -> { // the thumbnail's file, when storage did not take it (the upload's goes with the request)
        if (found.thumbnail() != null) {
          vertx.fileSystem().delete(found.thumbnail().file().toString());
        }
      });
    });
  }

  /** What inspection found: the analysis, and the thumbnail of an image (else null). */
  private record Inspected(MediaInspector.Inspection inspection, MediaInspector.Thumbnail thumbnail) {}

  /** Blocking: type, dimensions, duration and the thumbnail of an image; refusals as ParleyException. */
  private Inspected inspect(Path file) throws Exception {
    MediaInspector inspector = this.inspector;
    if (inspector == null) {
      synchronized (this) {
        if (this.inspector == null) {
          this.inspector = new MediaInspector(settings);
        }
        inspector = this.inspector;
      }
    }
    MediaInspector.Inspection i;
    try {
      i = inspector.inspect(file);
    } catch (MediaInspector.Refused r) {
      throw switch (r.code()) {
        case "PAYLOAD_TOO_LARGE" -> new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, r.getMessage());
        case "VALIDATION_FAILED" -> ParleyException.invalid("file", r.getMessage());
        default -> new ParleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, r.getMessage());
      };
    }
    try {
      return new Inspected(i, "image".equals(i.kind()) ? inspector.thumbnail(file, i) : null);
    } catch (java.io.IOException | RuntimeException damaged) { // a header that reads, pixels that do not
      throw ParleyException.invalid("file", "the image is damaged or cut short: it cannot be decoded");
    }
  }

  private ParleyException tooLarge() {
    return new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, "the file is larger than " + settings.maxBytes() + " bytes",
        new JsonObject().put("max_bytes", settings.maxBytes()));
  }

  /**
   * {@code PUT /users/me/avatar}: JSON {@code {attachment_id}} (an image of the caller's, in no
   * message) or a multipart upload of the image → the caller (Me) with its {@code avatar_url}.
   */
  private void setAvatar(RoutingContext rc) {
    long userId;
    Future<Long> attachment;
    try {
      userId = RouteSupport.userId(rc);
      String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
      String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (mediaType.equals("multipart/form-data")) {
        attachment = upload(rc).map(a -> a.getLong("id"));
      } else if (mediaType.equals("application/json")) {
        attachment = Future.succeededFuture(avatarId(rc));
      } else {
        throw new ParleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json or multipart/form-data");
      }
    } catch (ParleyException e) {
      rc.fail(e);
      return;
    }
    attachment.compose(id -> api.request(rc, AVATAR_SET, new JsonObject().put("user_id", userId).put("attachment_id", id)))
        .onSuccess(me -> RouteSupport.json(rc, 200, me)).onFailure(rc::fail);
  }

  /** The {@code attachment_id} of a JSON body, checked as the contract's router would (size, text, type). */
  private long avatarId(RoutingContext rc) {
    if (rc.body().length() > jsonLimit) {
      throw new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + jsonLimit + " bytes");
    }
    Object parsed;
    try {
      parsed = rc.body().length() == 0 ? null : io.vertx.core.json.Json.decodeValue(rc.body().buffer());
    } catch (RuntimeException e) {
      throw ParleyException.invalid("body", "the body is not JSON");
    }
    if (!(parsed instanceof JsonObject body)) {
      throw ParleyException.invalid("body", "send {\"attachment_id\": <id of an uploaded image>}");
    }
    io.parley.bus.StorableText.requireAll("", body);
    Object id = body.getValue("attachment_id");
    if (!(id instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1) {
      throw ParleyException.invalid("attachment_id", "attachment_id must be the id of an uploaded image (an integer of at least 1)");
    }
    return n.longValue();
  }

  /** The client's file name, as a name only: no folders, no control characters, at most 255 characters. */
  static String fileName(String raw) {
    String name = raw == null ? "" : raw.replace('\\', '/');
    name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\"]", "").strip();
    if (name.codePointCount(0, name.length()) > 255) {
      name = name.substring(0, name.offsetByCodePoints(0, 255));
    }
    return name.isEmpty() ? "file" : name;
  }

  /** Removes, every hour, uploads never used and those of deleted messages, with their bytes. */
  void sweepEveryHour() {
    long ttlS = settings.unattachedTtlHours() * 3600L;
    vertx.setPeriodic(60_000, 3_600_000, t -> {
      api.bus().request(ATTACHMENTS_SWEEP, new JsonObject().put("older_than_s", ttlS).put("limit", 500), null)
          .onSuccess(r -> r.getJsonArray("removed").forEach(o -> {
            JsonObject removed = (JsonObject) o;
            storage.delete("a/" + removed.getLong("id"));
            if (removed.getBoolean("thumbnail")) {
              storage.delete("t/" + removed.getLong("id"));
            }
          }));
      sweepIncoming(ttlS * 1000);
    });
  }

  /** Removes files left in {@code media.dir/incoming} (uploads cut off mid-body) older than {@code ageMs}. */
  private void sweepIncoming(long ageMs) {
    String incoming = Path.of(settings.dir(), "incoming").toString();
    long cutoff = System.currentTimeMillis() - ageMs;
    vertx.fileSystem().readDir(incoming).onSuccess(files -> files.forEach(f -> vertx.fileSystem().props(f)
        .onSuccess(p -> {
          if (p.isRegularFile() && p.lastModifiedTime() < cutoff) {
            vertx.fileSystem().delete(f);
          }
        })));
  }
}
