package io.parley.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %rid} in the text pattern: {@code [<request id>] } when the line was logged for a
 * request ({@link LogFormat#requestId}), nothing otherwise.
 */
public final class RequestIdConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    String id = LogFormat.requestId(event);
    return id == null ? "" : "[" + id + "] ";
  }
}
