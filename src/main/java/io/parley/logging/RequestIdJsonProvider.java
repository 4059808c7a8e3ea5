package io.parley.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import io.parley.bus.RequestIds;
import java.io.IOException;
import net.logstash.logback.composite.AbstractFieldJsonProvider;

/**
 * The {@code request_id} field of JSON lines, from the Vert.x context the line was logged on. A
 * {@code request_id} in the MDC is written by the encoder's MDC provider already, so this one
 * writes the field only when the MDC has none (never twice).
 */
public final class RequestIdJsonProvider extends AbstractFieldJsonProvider<ILoggingEvent> {
  /** The field is named {@value RequestIds#LOG_KEY}. */
  public RequestIdJsonProvider() {
    setFieldName(RequestIds.LOG_KEY);
  }

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    if (event.getMDCPropertyMap().get(RequestIds.LOG_KEY) != null) {
      return;
    }
    String id = RequestIds.current();
    if (id != null) {
      generator.writeStringField(getFieldName(), id);
    }
  }
}
