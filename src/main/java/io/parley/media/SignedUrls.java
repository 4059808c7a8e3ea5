package io.parley.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Capability URLs for attachments: whoever holds the URL may download the variant until it
 * expires, without a bearer token (so {@code <img src>} and {@code <audio src>} work).
 *
 * <p>{@code /api/v1/attachments/{id}/{variant}?exp=E&sig=S}, where {@code variant} is
 * {@code content} or {@code thumbnail}, {@code E} the expiry in epoch seconds and {@code S} the
 * unpadded base64url HMAC-SHA256 of {@code id + ":" + variant + ":" + E}.
 *
 * <p>Expiries are hour buckets, {@code E = (now / 3600 + 2) * 3600}: every URL made within the same
 * hour is the same (browsers and proxies cache it), and it stays valid between 1 and 2 hours after
 * it is made. Thread-safe.
 */
public final class SignedUrls {
  private static final String ALGORITHM = "HmacSHA256";
  private static final long BUCKET_S = 3600;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;

  /** URLs signed with {@code secret} (at least 16 bytes). */
  public SignedUrls(byte[] secret) {
    if (secret == null || secret.length < 16) {
      throw new IllegalArgumentException("the media URL secret must have at least 16 bytes");
    }
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
  }

  /** URLs signed with a key derived from the JWT secret: HMAC-SHA256(jwtSecret, "parley media urls"). */
  public static SignedUrls derive(String jwtSecret) {
    if (jwtSecret == null || jwtSecret.isEmpty()) {
      throw new IllegalArgumentException("the JWT secret must not be empty");
    }
    return new SignedUrls(hmac(new SecretKeySpec(jwtSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM),
        "parley media urls"));
  }

  /** The expiry of URLs made at {@code nowEpochS}: the end of the next whole hour. */
  public static long expiry(long nowEpochS) {
    return (nowEpochS / BUCKET_S + 2) * BUCKET_S;
  }

  /**
   * The signed path (with query) of {@code variant} of attachment {@code attachmentId}, made at
   * {@code nowEpochS}.
   *
   * @throws IllegalArgumentException when {@code variant} is not {@code content} or {@code thumbnail}
   */
  public String url(long attachmentId, String variant, long nowEpochS) {
    checkVariant(variant);
    long exp = expiry(nowEpochS);
    return "/api/v1/attachments/" + attachmentId + "/" + variant + "?exp=" + exp
        + "&sig=" + signature(attachmentId, variant, exp);
  }

  /**
   * True when {@code sig} is the signature of ({@code id}, {@code variant}, {@code exp}) and
   * {@code exp} (decimal epoch seconds, as in the URL) is not past at {@code nowEpochS}. False for
   * anything malformed (null, not a number, an unknown variant); compares in constant time.
   */
  public boolean verify(long id, String variant, String exp, String sig, long nowEpochS) {
    if (variant == null || exp == null || sig == null || exp.isEmpty() || exp.length() > 19
        || !exp.chars().allMatch(c -> c >= '0' && c <= '9')
        || !(variant.equals("content") || variant.equals("thumbnail"))) {
      return false;
    }
    long expiry;
    try {
      expiry = Long.parseLong(exp);
    } catch (NumberFormatException e) {
      return false;
    }
    if (expiry <= nowEpochS) {
      return false;
    }
    byte[] expected = signature(id, variant, expiry).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII));
  }

  private String signature(long id, String variant, long exp) {
    return B64.encodeToString(hmac(key, id + ":" + variant + ":" + exp));
  }

  private static void checkVariant(String variant) {
    if (!"content".equals(variant) && !"thumbnail".equals(variant)) {
      throw new IllegalArgumentException("variant must be content or thumbnail, not " + variant);
    }
  }

  private static byte[] hmac(SecretKeySpec key, String message) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
