package io.parley.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Text that PostgreSQL can store: what every text field from a client (HTTP body, path and
 * query parameters, WebSocket frames) must be before it goes further.
 *
 * <p>PostgreSQL refuses U+0000 in {@code text} (SQLSTATE 22021) and {@code \u0000} in
 * {@code jsonb} (22P05), and a Java string may hold an unpaired UTF-16 surrogate, which is no
 * Unicode scalar value and has no UTF-8 encoding (RFC 3629 §3; the driver would store it as
 * {@code ?}). Both are refused up front with {@code VALIDATION_FAILED}, so one bad field can
 * never fail a statement that also carries other users' data (a group commit).
 */
public final class StorableText {
  private StorableText() {}

  /** Index of the first char that cannot be stored (NUL or an unpaired surrogate), or -1. */
  public static int firstBadChar(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return i;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code s} has a UTF-8 form: no unpaired surrogate (U+0000 is allowed here). */
  public static boolean encodable(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code s} can be stored as it is. */
  public static boolean storable(String s) {
    return firstBadChar(s) < 0;
  }

  /**
   * Refuses a string that cannot be stored: {@code VALIDATION_FAILED} with
   * {@code details: {field, index}} ({@code index}: UTF-16 offset of the first bad char).
   */
  public static String require(String field, String s) {
    int bad = s == null ? -1 : firstBadChar(s);
    if (bad >= 0) {
      throw badText(field, bad);
    }
    return s;
  }

  /**
   * Checks every string in a JSON value, keys included, recursively. {@code field} names the
   * value; nested fields are named by their path ({@code user.name}, {@code ids[2]}).
   */
  public static void requireAll(String field, Object value) {
    if (value instanceof String s) {
      require(field, s);
    } else if (value instanceof JsonObject obj) {
      for (Map.Entry<String, Object> e : obj) {
        String name = field == null || field.isEmpty() ? e.getKey() : field + "." + e.getKey();
        require(name, e.getKey());
        requireAll(name, e.getValue());
      }
    } else if (value instanceof JsonArray arr) {
      for (int i = 0; i < arr.size(); i++) {
        requireAll((field == null ? "" : field) + "[" + i + "]", arr.getValue(i));
      }
    }
  }

  private static ParleyException badText(String field, int index) {
    return new ParleyException(ErrorCode.VALIDATION_FAILED,
        (field == null || field.isEmpty() ? "text" : field)
            + " contains a character that cannot be stored (U+0000 or an unpaired surrogate)",
        new JsonObject().put("field", field == null ? "" : field).put("index", index));
  }
}
