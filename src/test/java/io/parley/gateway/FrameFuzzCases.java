package io.parley.gateway;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The client frames of {@link FrameFuzzTest}, generated from the protocol's frame types
 * (docs/websocket-protocol.md §3): each type's valid frame, then every field missing and of every
 * wrong kind, boundary lengths, text PostgreSQL cannot store, rooms and messages of others,
 * broken JSON, and frames drawn from a fixed seed. Frames are written as JSON text by
 * {@link #json}, which escapes every non-ASCII char, so lone surrogates and NULs reach the server
 * as {@code \\uXXXX} escapes.
 */
final class FrameFuzzCases {
  /** What a case must get back: any non-INTERNAL answer, the normal reply, no reply, or this error code. */
  static final String ANY = "any";
  static final String OK = "ok";
  static final String NONE = "none";
  static final String INVALID = "VALIDATION_FAILED";

  /**
   * A frame to send (the last of {@code texts}, sent back to back after the others; or
   * {@code binary}) and what it must get: {@link #ANY}, {@link #OK}, {@link #NONE} or an error
   * code; a {@code VALIDATION_FAILED} must name {@code field} (when set) in {@code details.field},
   * unless the frame cannot be read at all (e.g. a number longer than the JSON parser's limit).
   */
  record Case(String name, List<String> texts, Buffer binary, String must, String field) {
    Case(String name, String text, String must) {
      this(name, List.of(text), null, must, null);
    }

    String text() {
      return texts.isEmpty() ? "" : texts.get(texts.size() - 1);
    }
  }

  /** A JSON literal written as it is (numbers no Java type holds, broken syntax). */
  record Raw(String text) {}

  /** The rooms and messages the cases aim at. */
  record Ids(long ownRoom, long sharedRoom, long privateOther, long publicOther, long missingRoom,
             long ownMessage, long doomedMessage, long otherMessage, long hiddenMessage, int maxBody, int maxFrameBytes) {}

  private final Ids ids;
  private final List<Case> cases = new ArrayList<>();
  private int sends;

  private FrameFuzzCases(Ids ids) {
    this.ids = ids;
  }

  /** Every case, in a fixed order (valid frames first: typing needs the subscription they make). */
  static List<Case> all(Ids ids, long seed) {
    FrameFuzzCases g = new FrameFuzzCases(ids);
    g.valid();
    g.fields();
    g.texts();
    g.others();
    g.structure();
    g.random(new Random(seed), 160);
    return g.cases;
  }

  // ---- the frame types ------------------------------------------------------------------------

  private Map<String, Object> frame(String type, Object... kv) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("type", type);
    for (int i = 0; i < kv.length; i += 2) {
      f.put((String) kv[i], kv[i + 1]);
    }
    return f;
  }

  private String cmid() {
    return "fuzz-" + (++sends);
  }

  /** A valid frame of each type, with the ids and kinds of value its fields need. */
  private Map<String, Map<String, Object>> templates() {
    Map<String, Map<String, Object>> t = new LinkedHashMap<>();
    t.put("ping", frame("ping"));
    t.put("subscribe", frame("subscribe", "room_id", ids.ownRoom(), "since_seq", 0L));
    t.put("unsubscribe", frame("unsubscribe", "room_id", ids.sharedRoom()));
    t.put("message.send", frame("message.send", "room_id", ids.ownRoom(), "client_msg_id", cmid(), "body", "hello"));
    t.put("message.edit", frame("message.edit", "message_id", ids.ownMessage(), "body", "edited"));
    t.put("message.delete", frame("message.delete", "message_id", ids.doomedMessage()));
    t.put("typing", frame("typing", "room_id", ids.ownRoom(), "state", "start"));
    t.put("read", frame("read", "room_id", ids.ownRoom(), "seq", 1L));
    return t;
  }

  private void add(String name, Map<String, Object> frame, String ref, String must) {
    add(name, frame, ref, must, null);
  }

  private void add(String name, Map<String, Object> frame, String ref, String must, String field) {
    if (ref != null) {
      frame.put("ref", ref);
    }
    cases.add(new Case(name, List.of(json(frame)), null, must, field));
  }

  private void valid() {
    templates().forEach((type, f) -> add("valid " + type, f, "v-" + type, OK));
    add("valid typing without ref: no reply", frame("typing", "room_id", ids.ownRoom(), "state", "stop"), null, NONE);
  }

  /** Ids (integers > 0, or ≥ 0 for seqs) and strings replaced by every wrong kind of value. */
  private void fields() {
    Object[] badIds = {"7", 1.5, 0L, -1L, 1e30, new Raw("9223372036854775808"), new Raw("18446744073709551617"),
        new Raw("1" + "0".repeat(1200)), 1e-300, List.of(), List.of(1L), Map.of(), Map.of("id", 1L), null, true, false, ""};
    Object[] badStrings = {42L, 1.5, true, null, List.of(), List.of("a"), Map.of(), Map.of("a", "b"), ""};
    int n = 0;
    for (var e : templates().entrySet()) {
      for (String field : e.getValue().keySet()) {
        if (field.equals("type")) {
          continue;
        }
        boolean isId = !(e.getValue().get(field) instanceof String);
        boolean optional = field.equals("since_seq");
        Map<String, Object> missing = fresh(e.getValue());
        missing.remove(field);
        add(e.getKey() + " without " + field, missing, "f" + (++n), optional ? OK : INVALID, field);
        for (Object bad : isId ? badIds : badStrings) {
          Map<String, Object> f = fresh(e.getValue());
          f.put(field, bad);
          boolean nullOptional = optional && bad == null;
          boolean zeroSeq = (field.equals("since_seq") || field.equals("seq")) && Long.valueOf(0L).equals(bad);
          add(e.getKey() + " " + field + "=" + shorten(json(bad)), f, "f" + (++n), nullOptional || zeroSeq ? ANY : INVALID, field);
        }
        if (isId) { // an integral float is an integer; the largest long is a valid id of nothing
          Map<String, Object> f = fresh(e.getValue());
          f.put(field, ((Number) e.getValue().get(field)).doubleValue());
          add(e.getKey() + " " + field + " as float", f, "f" + (++n), ANY);
          f = fresh(e.getValue());
          f.put(field, Long.MAX_VALUE);
          add(e.getKey() + " " + field + "=" + Long.MAX_VALUE, f, "f" + (++n), ANY);
        }
      }
    }
  }

  /** A copy of a template; a send gets a client_msg_id of its own (a repeat would answer the first message). */
  private Map<String, Object> fresh(Map<String, Object> template) {
    Map<String, Object> f = new LinkedHashMap<>(template);
    if ("message.send".equals(f.get("type"))) {
      f.put("client_msg_id", cmid());
    }
    return f;
  }

  /** Boundary lengths and text that cannot be stored, in bodies, client_msg_ids, states and refs. */
  private void texts() {
    int max = ids.maxBody();
    String emoji = "\ud83d\ude00";
    Object[][] bodies = {
        {"body of max chars", "b".repeat(max), OK}, {"body of max+1 chars", "b".repeat(max + 1), INVALID},
        {"body of max code points, max+1 UTF-16 units", "b".repeat(max - 1) + emoji, OK},
        {"body of max+1 code points", "b".repeat(max) + emoji, INVALID},
        {"body with NUL", "a\u0000b", INVALID}, {"body of NUL only", "\u0000", INVALID},
        {"body with a lone high surrogate", "a\ud800b", INVALID}, {"body with a lone low surrogate", "a\udc00b", INVALID},
        {"body ending in a high surrogate", "ab\ud83d", INVALID}, {"body with a reversed pair", "\ude00\ud83d", INVALID},
        {"body with a valid pair", "smile " + emoji, OK}, {"body blank", " \t\r\n ", INVALID},
        {"body with control chars", "a\u0001\u0007\u001b[31m\u007f\u0085b", ANY},
        {"body with noncharacters", "\ufffe\uffff\ufdd0", ANY}, {"body with BOM, RTL and zero-width", "\ufeff\u202e\u200b\u0301x", ANY},
        {"body of U+FFFD", "\ufffd", OK}, {"body with escapes", "\"\\/<script>", OK},
    };
    int n = 0;
    for (Object[] b : bodies) {
      String must = (String) b[2];
      add("send " + b[0], frame("message.send", "room_id", ids.ownRoom(), "client_msg_id", cmid(), "body", b[1]),
          "t" + (++n), must, "body");
      add("edit " + b[0], frame("message.edit", "message_id", ids.ownMessage(), "body", b[1]), "t" + (++n), must, "body");
    }
    Object[][] cmids = {{"x".repeat(64), OK}, {"x".repeat(65), INVALID}, {"x".repeat(63) + emoji, ANY},
        {"id\u0000nul", INVALID}, {"id\ud800", INVALID}, {"\udfff", INVALID}, {" ", ANY}};
    for (Object[] c : cmids) {
      add("send client_msg_id " + shorten(json(c[0])),
          frame("message.send", "room_id", ids.ownRoom(), "client_msg_id", c[0], "body", "id test"), "t" + (++n), (String) c[1],
          "client_msg_id");
    }
    for (String state : new String[] {"START", "start ", "stop\u0000", "\ud800", "typing", ""}) {
      add("typing state " + json(state), frame("typing", "room_id", ids.ownRoom(), "state", state), "t" + (++n), INVALID, "state");
    }
    add("ref with NUL", frame("ping"), "r\u0000ef", OK);
    // a ref is echoed unchanged, so one with no UTF-8 form cannot be: refused without it
    add("ref with a lone surrogate (refused, no ref)", frame("ping", "ref", "r\ud800"), null, INVALID, "ref");
    add("ref of 4000 chars", frame("ping"), "r".repeat(4000), OK);
    for (Object ref : new Object[] {7L, -7L, 1.5, 1e308, new Raw("123456789012345678901234567890"), 0L}) {
      Map<String, Object> f = frame("ping", "ref", ref);
      cases.add(new Case("ref " + json(ref), json(f), OK));
    }
    for (Object ref : new Object[] {true, List.of(), Map.of(), Map.of("a", 1L)}) {
      add("ref " + json(ref) + " (refused, no ref)", frame("ping", "ref", ref), null, INVALID, "ref");
      add("send with ref " + json(ref), frame("message.send", "room_id", ids.ownRoom(), "client_msg_id", cmid(), "body", "x",
          "ref", ref), null, INVALID, "ref");
    }
    cases.add(new Case("ref null: a reply without ref", json(frame("ping", "ref", null)), OK));
  }

  /** Rooms that do not exist or belong to others, messages of other users. */
  private void others() {
    int n = 0;
    long[] rooms = {ids.privateOther(), ids.publicOther(), ids.missingRoom()};
    String[] codes = {"NOT_FOUND", "FORBIDDEN", "NOT_FOUND"};
    for (int i = 0; i < rooms.length; i++) {
      long room = rooms[i];
      String code = codes[i];
      add("subscribe to " + code + " room", frame("subscribe", "room_id", room), "o" + (++n), code);
      add("send to " + code + " room", frame("message.send", "room_id", room, "client_msg_id", cmid(), "body", "in"),
          "o" + (++n), code);
      add("read in " + code + " room", frame("read", "room_id", room, "seq", 1L), "o" + (++n), code);
      add("typing in " + code + " room", frame("typing", "room_id", room, "state", "start"), "o" + (++n), INVALID, "room_id");
      add("unsubscribe from " + code + " room", frame("unsubscribe", "room_id", room), "o" + (++n), OK);
      // back to back: the typing must not pass while the membership check is under way
      String subscribe = json(frame("subscribe", "room_id", room, "ref", "o" + (++n) + "-sub"));
      String typing = json(frame("typing", "room_id", room, "state", "start", "ref", "o" + (++n)));
      cases.add(new Case("typing right after subscribing to " + code + " room", List.of(subscribe, typing), null, INVALID, "room_id"));
    }
    Object[][] messages = {{"another member's message", ids.otherMessage(), "FORBIDDEN"},
        {"a message of a private room", ids.hiddenMessage(), "NOT_FOUND"},
        {"a message that does not exist", ids.missingRoom(), "NOT_FOUND"}, {"the deleted message", ids.doomedMessage(), "NOT_FOUND"}};
    for (Object[] m : messages) {
      add("edit " + m[0], frame("message.edit", "message_id", m[1], "body", "mine now"), "o" + (++n), (String) m[2]);
      add("delete " + m[0], frame("message.delete", "message_id", m[1]), "o" + (++n), (String) m[2]);
    }
    add("subscribe far ahead", frame("subscribe", "room_id", ids.sharedRoom(), "since_seq", Long.MAX_VALUE), "o" + (++n), OK);
    add("read far ahead", frame("read", "room_id", ids.sharedRoom(), "seq", Long.MAX_VALUE), "o" + (++n), OK);
  }

  /** Frames that are not the JSON object of a known type, and frames over max_frame_bytes. */
  private void structure() {
    String[] notObjects = {"", " ", "[]", "[1,2]", "\"ping\"", "1", "null", "true", "{", "{\"type\":\"ping\"",
        "{type:'ping'}", "{'type':'ping'}", "{\"type\":\"ping\",}", "{\"type\":\"ping\"} x", "{\"type\":\"ping\"}{\"type\":\"ping\"}",
        "{\"type\":\"ping\"/*c*/}", "{\"type\":\"read\",\"room_id\":1,\"seq\":NaN}",
        "{\"type\":\"read\",\"room_id\":1,\"seq\":-Infinity}", "{\"type\":\"pi\\x6eg\"}", "{\"type\":\"ping\u0001\"}",
        "\ufeff{\"type\":\"ping\"}", "\u0000", "{\"type\":\"ping\",\"ref\":\"\\ud800\"",
        "[".repeat(4000), "{\"a\":".repeat(1200) + "1" + "}".repeat(1200),
        "{\"type\":\"read\",\"room_id\":1,\"seq\":1" + "0".repeat(2000) + "}",
        "{\"type\":\"read\",\"room_id\":1,\"seq\":1e999999}", "{\"type\":\"read\",\"room_id\":1,\"seq\":0." + "1".repeat(2000) + "}"};
    for (int i = 0; i < notObjects.length; i++) {
      String t = notObjects[i];
      // a byte-order mark may be skipped, comments are allowed by Vert.x's parser: then it is a ping
      boolean lenient = t.startsWith("\ufeff") || t.contains("/*");
      cases.add(new Case("not a JSON object #" + i + " " + shorten(visible(t)), t, lenient ? ANY : INVALID));
    }
    Object[] types = {null, 1L, true, List.of(), Map.of(), "", "PING", "ping ", "ping\u0000", "\ud800", "dance", "__proto__",
        "message", "message.", "welcome", "error", "pong", "message.ack", "t".repeat(1000)};
    int n = 0;
    for (Object type : types) {
      Map<String, Object> f = frame("x", "room_id", ids.ownRoom());
      f.put("type", type);
      add("type " + shorten(json(type)), f, "s" + (++n), INVALID, "type");
    }
    cases.add(new Case("only a ref", List.of("{\"ref\":\"s" + (++n) + "\"}"), null, INVALID, "type"));
    cases.add(new Case("duplicate type keys", "{\"type\":\"dance\",\"type\":\"ping\",\"ref\":\"s" + (++n) + "\"}", ANY));
    add("unknown fields", frame("ping", "__proto__", Map.of("x", 1L), "constructor", "y", "extra", List.of(1L, 2L)), "s" + (++n), OK);
    int limit = ids.maxFrameBytes();
    String head = "{\"type\":\"ping\",\"ref\":\"size\",\"pad\":\"";
    cases.add(new Case("frame of exactly max_frame_bytes", head + "p".repeat(limit - head.length() - 2) + "\"}", OK));
    cases.add(new Case("frame of max_frame_bytes+1", head + "p".repeat(limit - head.length() - 1) + "\"}", "PAYLOAD_TOO_LARGE"));
    cases.add(new Case("frame over max_frame_bytes in bytes, not in chars", head + "\u00e9".repeat((limit - head.length()) / 2) + "\"}",
        "PAYLOAD_TOO_LARGE"));
    cases.add(new Case("binary JSON frame", List.of(), Buffer.buffer("{\"type\":\"ping\"}"), INVALID, null));
    cases.add(new Case("empty binary frame", List.of(), Buffer.buffer(), INVALID, null));
  }

  // ---- seeded random frames -----------------------------------------------------------------

  private static final String[] TYPES = {"ping", "subscribe", "unsubscribe", "message.send", "message.edit", "message.delete",
      "typing", "read"};
  private static final String[] FIELDS = {"room_id", "message_id", "since_seq", "seq", "client_msg_id", "body", "state", "extra"};
  private static final String ALPHABET = "aZ09 _-.:/\\\"'{}[]<>&%\u0000\u0001\u001f\u007f\u00e9\u00df\u0301\u200b\u202e\ufeff\ufffd"
      + "\uffff\ud800\udbff\udc00\udfff\u4e2d\u0627";

  private void random(Random rnd, int count) {
    for (int i = 0; i < count; i++) {
      String type = rnd.nextInt(12) == 0 ? randomString(rnd, 12) : TYPES[rnd.nextInt(TYPES.length)];
      Map<String, Object> f = frame(type);
      for (String field : FIELDS) {
        if (rnd.nextInt(3) > 0) {
          f.put(field, randomValue(rnd, field));
        }
      }
      Object ref = switch (rnd.nextInt(8)) {
        case 0 -> rnd.nextLong();
        case 1 -> rnd.nextDouble() * 1e6;
        case 2 -> List.of("x");
        default -> "z" + i + "-" + randomString(rnd, 6).replaceAll("[\ud800-\udfff]", "s");
      };
      f.put("ref", ref);
      cases.add(new Case("random #" + i, json(f), ANY));
    }
  }

  private Object randomValue(Random rnd, String field) {
    long[] good = {ids.ownRoom(), ids.sharedRoom(), ids.privateOther(), ids.publicOther(), ids.missingRoom(), ids.ownMessage(),
        ids.otherMessage(), ids.hiddenMessage()};
    return switch (rnd.nextInt(field.equals("body") || field.equals("client_msg_id") ? 6 : 14)) {
      case 0 -> randomString(rnd, rnd.nextInt(3) == 0 ? 300 : 20);
      case 1 -> field.equals("client_msg_id") ? cmid() : "x";
      case 2 -> rnd.nextBoolean() ? List.of(rnd.nextInt()) : Map.of("k", randomString(rnd, 4));
      case 3 -> null;
      case 4 -> rnd.nextBoolean();
      case 5 -> rnd.nextGaussian() * 1e3;
      case 6 -> rnd.nextLong();
      case 7 -> (long) rnd.nextInt(5) - 2;
      case 8 -> new Raw(String.valueOf(rnd.nextInt(9) + 1).repeat(20 + rnd.nextInt(30)));
      default -> good[rnd.nextInt(good.length)];
    };
  }

  private static String randomString(Random rnd, int maxLength) {
    StringBuilder s = new StringBuilder();
    for (int i = rnd.nextInt(maxLength + 1); i > 0; i--) {
      s.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  // ---- JSON text ------------------------------------------------------------------------------

  /** JSON text of a value: maps, lists, strings (every char outside printable ASCII escaped), numbers, booleans, null, {@link Raw}. */
  static String json(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Raw r) {
      return r.text();
    } else if (v instanceof String s) {
      return "\"" + escape(s) + "\"";
    } else if (v instanceof Map<?, ?> m) {
      List<String> parts = new ArrayList<>();
      m.forEach((k, x) -> parts.add(json(k) + ":" + json(x)));
      return "{" + String.join(",", parts) + "}";
    } else if (v instanceof List<?> l) {
      return "[" + String.join(",", l.stream().map(FrameFuzzCases::json).toList()) + "]";
    }
    return String.valueOf(v); // numbers (Double.toString is valid JSON) and booleans
  }

  static String escape(String s) {
    return visible(s.replace("\\", "\\\\").replace("\"", "\\\""));
  }

  /** {@code s} with every char outside printable ASCII written as {@code \\uXXXX}, for reports. */
  static String visible(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String shorten(String s) {
    return s.length() <= 160 ? s : s.substring(0, 150) + "...(" + s.length() + " chars)";
  }
}
