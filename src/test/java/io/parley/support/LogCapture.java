package io.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures what is logged while it is open: logback's console appender ({@code logback.xml})
 * writes each line to the current {@code System.err}, looked up at each write, which this
 * replaces with a tee (the lines still reach the test output). Lines look like
 * {@code <time> [<thread>] LEVEL <logger> - [<request id>] <message>} (JSON objects while a test
 * switched to {@code logging.format: json}).
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  public LogCapture() {
    PrintStream original = this.original;
    ByteArrayOutputStream captured = this.captured;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
  }

  /** The lines logged so far. */
  public List<String> lines() {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return new ArrayList<>(List.of(text.split("\n")));
  }

  /** The lines logged so far that contain {@code fragment}. */
  public List<String> linesWith(String fragment) {
    return lines().stream().filter(l -> l.contains(fragment)).toList();
  }

  /** Lines that look like a stack trace (a frame line), e.g. from an unexpected failure. */
  public List<String> stackTraceLines() {
    return lines().stream().filter(l -> l.startsWith("\tat ") || l.matches("^\\s+at [\\w.$]+\\(.*")).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
