package io.parley.assistant.model;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Incremental parser of a Server-Sent Events stream, after the WHATWG HTML standard, §9.2.6
 * "Interpreting an event stream" (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 *
 * <p>{@link #feed(Buffer)} takes network chunks as they come: an event, a line or a UTF-8
 * character may be cut anywhere. Bytes are buffered and only complete lines are decoded (a line
 * end, CR or LF, is never part of a multi-byte UTF-8 sequence, so no character is ever split).
 * Lines end with {@code \r\n}, {@code \n} or {@code \r}; one leading byte-order mark is dropped.
 * Per line: {@code data:} appends its value (one space after the colon is dropped) and a
 * {@code \n}; {@code event:} names the event; a line starting with {@code :} is a comment;
 * {@code id:}, {@code retry:} and unknown fields are ignored. A blank line dispatches the event
 * (if it had data) to the handler, with its data's last {@code \n} removed, so several
 * {@code data:} lines join with {@code \n}. An event not closed by a blank line when the stream
 * ends is discarded, as the standard says.
 *
 * <p>Limit: an event's field lines (including a line still being received) may not exceed
 * {@code maxEventBytes} bytes in total (default {@value #DEFAULT_MAX_EVENT_BYTES}); beyond that
 * {@code feed} throws {@link EventTooLargeException} and the parser stays failed. Not thread
 * safe: feed it from one thread (a Vert.x context).
 */
public final class SseParser {
  /** Default cap on one event: 1 MiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;

  /**
   * One dispatched event.
   *
   * @param type the {@code event:} field, {@code "message"} when absent
   * @param data the {@code data:} lines joined with {@code \n} (possibly empty)
   */
  public record Event(String type, String data) {}

  /** Thrown by {@link #feed(Buffer)} when an event grows beyond the cap. */
  public static final class EventTooLargeException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    EventTooLargeException(int max) {
      super("server-sent event larger than " + max + " bytes");
    }
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private final int maxEventBytes;
  private final Consumer<Event> handler;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean afterCr;
  private boolean started;
  private int eventBytes;
  private final StringBuilder data = new StringBuilder();
  private String eventType = "";
  private EventTooLargeException failure;

  /** A parser dispatching to {@code handler}, with the default cap of 1 MiB per event. */
  public SseParser(Consumer<Event> handler) {
    this(DEFAULT_MAX_EVENT_BYTES, handler);
  }

  /** A parser dispatching to {@code handler}; {@code maxEventBytes} (> 0) caps one event. */
  public SseParser(int maxEventBytes, Consumer<Event> handler) {
    if (maxEventBytes <= 0) {
      throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
    }
    this.maxEventBytes = maxEventBytes;
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Consumes the next chunk of the stream, dispatching every event it completes, in order.
   *
   * @throws EventTooLargeException when an event exceeds the cap (now or on an earlier call)
   */
  public void feed(Buffer chunk) {
    if (failure != null) {
      throw failure;
    }
    byte[] bytes = chunk.getBytes();
    int i = 0;
    if (!started && bytes.length > 0) {
      i = skipBom(bytes);
    }
    for (; i < bytes.length; i++) {
      byte b = bytes[i];
      if (afterCr) {
        afterCr = false;
        if (b == LF) {
          continue; // the LF of a CRLF
        }
      }
      if (b == CR || b == LF) {
        afterCr = b == CR;
        endOfLine();
      } else {
        append(b);
      }
    }
  }

  /** Drops a UTF-8 byte-order mark at the very start of the stream (it may arrive split, too). */
  private int skipBom(byte[] bytes) {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    int have = lineLength; // BOM bytes already held back from earlier chunks
    int i = 0;
    while (have + i < 3 && i < bytes.length && bytes[i] == bom[have + i]) {
      i++;
    }
    if (have + i == 3) {
      started = true;
      lineLength = 0;
      return i;
    }
    if (i == bytes.length) { // all a prefix of the BOM so far: hold it back
      for (int k = 0; k < i; k++) {
        append(bytes[k]);
      }
      return i;
    }
    started = true; // not a BOM: what was held back is ordinary text
    return 0;
  }

  private void append(byte b) {
    if (eventBytes + lineLength + 1 > maxEventBytes) {
      failure = new EventTooLargeException(maxEventBytes);
      throw failure;
    }
    if (lineLength == line.length) {
      line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, 256), maxEventBytes));
    }
    line[lineLength++] = b;
  }

  private void endOfLine() {
    started = true;
    int length = lineLength;
    lineLength = 0;
    if (length == 0) {
      dispatch();
      return;
    }
    if (line[0] == ':') {
      return; // comment
    }
    String text = new String(line, 0, length, StandardCharsets.UTF_8);
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = "";
    if (colon >= 0) {
      int from = colon + 1;
      if (from < text.length() && text.charAt(from) == ' ') {
        from++;
      }
      value = text.substring(from);
    }
    switch (field) {
      case "data" -> {
        data.append(value).append('\n');
        eventBytes += length;
      }
      case "event" -> {
        eventType = value;
        eventBytes += length;
      }
      default -> { } // id, retry and unknown fields: not used by Parley
    }
    if (line.length > 4096 && eventBytes == 0) {
      line = new byte[256]; // don't keep a large buffer after a long comment or ignored field
    }
  }

  private void dispatch() {
    eventBytes = 0;
    if (data.length() == 0) {
      eventType = "";
      return;
    }
    String payload = data.substring(0, data.length() - 1);
    String type = eventType.isEmpty() ? "message" : eventType;
    data.setLength(0);
    eventType = "";
    if (line.length > 4096) {
      line = new byte[256];
    }
    handler.accept(new Event(type, payload));
  }
}
