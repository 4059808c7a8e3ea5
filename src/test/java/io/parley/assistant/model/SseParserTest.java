package io.parley.assistant.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.assistant.model.SseParser.Event;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SseParser: the WHATWG event-stream format, fed in arbitrary chunks")
class SseParserTest {
  /** Comments, a named event, multi-line data, a 3-byte character (€) and a 4-byte one (😀). */
  private static final String STREAM = ": keep-alive\n"
      + "data: {\"a\":1}\n\n"
      + "event: update\ndata: first line\ndata:second line\n\n"
      + ": another comment\n"
      + "data: 5 €, 😀 and ü\nid: 7\nretry: 1000\n\n"
      + "data: [DONE]\n\n";

  private static final List<Event> EXPECTED = List.of(
      new Event("message", "{\"a\":1}"),
      new Event("update", "first line\nsecond line"),
      new Event("message", "5 €, 😀 and ü"),
      new Event("message", "[DONE]"));

  private static List<Event> parseInPieces(byte[] bytes, int... cuts) {
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(Buffer.buffer().appendBytes(bytes, from, cut - from));
      from = cut;
    }
    parser.feed(Buffer.buffer().appendBytes(bytes, from, bytes.length - from));
    return events;
  }

  @Test
  @DisplayName("a stream cut in two at every byte position (also inside € and 😀) gives the same events")
  void splitAtEveryByte() {
    for (String lineEnd : List.of("\n", "\r\n", "\r")) {
      byte[] bytes = STREAM.replace("\n", lineEnd).getBytes(StandardCharsets.UTF_8);
      for (int cut = 0; cut <= bytes.length; cut++) {
        assertEquals(EXPECTED, parseInPieces(bytes, cut), "line end " + lineEnd.replace("\r", "CR").replace("\n", "LF") + ", cut at " + cut);
      }
    }
  }

  @Test
  @DisplayName("a stream fed one byte at a time, and cut in three everywhere, gives the same events")
  void oneByteAtATimeAndThreePieces() {
    byte[] bytes = STREAM.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    for (byte b : bytes) {
      parser.feed(Buffer.buffer(new byte[] {b}));
    }
    assertEquals(EXPECTED, events);
    for (int a = 0; a <= bytes.length; a += 3) {
      for (int b = a; b <= bytes.length; b += 5) {
        assertEquals(EXPECTED, parseInPieces(bytes, a, b), "cuts at " + a + " and " + b);
      }
    }
  }

  @Test
  @DisplayName("line ends may be mixed; a CR at the end of a chunk and the LF in the next make one line end")
  void mixedLineEnds() {
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    parser.feed(Buffer.buffer("data: one\r"));
    parser.feed(Buffer.buffer("\ndata: two\r"));
    parser.feed(Buffer.buffer("\r"));
    parser.feed(Buffer.buffer("data: three\n\r\n"));
    assertEquals(List.of(new Event("message", "one\ntwo"), new Event("message", "three")), events);
  }

  @Test
  @DisplayName("fields: one space after the colon is dropped, 'data' alone is an empty line, unknown fields and comments are ignored")
  void fields() {
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    parser.feed(Buffer.buffer("data:  two spaces\ndata\ndata:x:y\nfoo: bar\n:data: not data\n\n"
        + "\n\n" // blank lines without data dispatch nothing
        + "event: ping\n\n" // an event without data is not dispatched, and its name does not carry over
        + "data:\n\n" // an empty data line is an event with empty data
        + "data: last"));
    assertEquals(List.of(new Event("message", " two spaces\n\nx:y"), new Event("message", "")), events,
        "the last event is not dispatched without its blank line");
  }

  @Test
  @DisplayName("a leading byte-order mark is dropped, even split across chunks")
  void byteOrderMark() {
    byte[] bytes = ("\uFEFFdata: hi\n\n").getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      assertEquals(List.of(new Event("message", "hi")), parseInPieces(bytes, cut), "cut at " + cut);
    }
  }

  @Test
  @DisplayName("an event over the cap fails the stream with a clear exception, even when its bytes trickle in; smaller events pass")
  void oversizedEvent() {
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(64, events::add);
    parser.feed(Buffer.buffer("data: " + "x".repeat(50) + "\n\n"));
    assertEquals(1, events.size());
    parser.feed(Buffer.buffer("data: " + "y".repeat(30) + "\n"));
    SseParser.EventTooLargeException e = assertThrows(SseParser.EventTooLargeException.class, () -> {
      for (int i = 0; i < 40; i++) {
        parser.feed(Buffer.buffer("z"));
      }
    });
    assertTrue(e.getMessage().contains("64 bytes"), e.getMessage());
    assertThrows(SseParser.EventTooLargeException.class, () -> parser.feed(Buffer.buffer("\n\n")), "the parser stays failed");
    assertEquals(1, events.size());
  }

  @Test
  @DisplayName("the cap counts one event only: many events, and long comment runs between them, never trip it")
  void capIsPerEvent() {
    List<Event> events = new ArrayList<>();
    SseParser parser = new SseParser(64, events::add);
    for (int i = 0; i < 1000; i++) {
      parser.feed(Buffer.buffer(": ping " + i + "\ndata: event number " + i + "\n\n"));
    }
    assertEquals(1000, events.size());
    assertEquals("event number 999", events.get(999).data());
  }
}
