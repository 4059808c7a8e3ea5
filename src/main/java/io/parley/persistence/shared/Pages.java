package io.parley.persistence.shared;

import io.parley.bus.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.function.Function;

/** Cursor pagination of lists ({@code limit}, opaque {@code cursor}, {@code next_cursor}) and LIKE patterns. */
public final class Pages {
  private Pages() {}

  /** The id in a request's {@code cursor} (0 when none); VALIDATION_FAILED for one this server did not issue. */
  public static long cursorId(JsonObject b) {
    String c = b.getString("cursor");
    if (c == null || c.isEmpty()) {
      return 0L;
    }
    try {
      return Long.parseLong(c);
    } catch (NumberFormatException e) {
      throw ParleyException.invalid("cursor", "cursor is not one this server issued");
    }
  }

  /**
   * {items, next_cursor} from rows fetched with {@code limit + 1}: the extra row only says there
   * is a next page, whose cursor is {@code cursorOf} the last item given.
   */
  public static JsonObject page(RowSet<Row> rs, int limit, Function<Row, JsonObject> map, Function<JsonObject, String> cursorOf) {
    JsonArray items = new JsonArray();
    String next = null;
    int i = 0;
    for (Row r : rs) {
      if (i++ == limit) {
        next = cursorOf.apply(items.getJsonObject(items.size() - 1));
        break;
      }
      items.add(map.apply(r));
    }
    return new JsonObject().put("items", items).put("next_cursor", next);
  }

  /** Lower-cased text with LIKE's wildcards and escape character escaped. */
  public static String likeLiteral(String text) {
    return text.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
