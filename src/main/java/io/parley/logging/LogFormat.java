package io.parley.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import io.parley.bus.RequestIds;
import java.net.URL;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The log format, {@code logging.format}: {@code text} (time, thread, level, logger, request id,
 * message) or {@code json} (one JSON object a line, logstash-logback-encoder's fields plus
 * {@code request_id} and the access log's fields).
 *
 * <p>{@code logback.xml} includes the console appender of the format named by the system property
 * {@value #PROPERTY} ({@code logback/text.xml} when unset, or {@code logback/json.xml}). {@link #use} sets the property and, when
 * logback already runs with the other format (it starts with the first logger), configures it
 * again from the same file. Main calls it once the configuration is read, before anything else.
 *
 * <p>Appenders must stay synchronous: the request id is read from the Vert.x context of the
 * thread that logs ({@link #requestId}).
 */
public final class LogFormat {
  /** The system property that {@code logback.xml} reads. */
  public static final String PROPERTY = "parley.logging.format";
  /** The context property in which {@code logback.xml} records the format it configured. */
  static final String ACTIVE = "parley.logging.active";

  private LogFormat() {}

  /**
   * Switches logging to {@code format} ({@code text} or {@code json}, any case); does nothing
   * when logback already uses it, or when another SLF4J backend is bound.
   *
   * @throws IllegalArgumentException for any other format
   */
  public static synchronized void use(String format) {
    String f = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("text") && !f.equals("json")) {
      throw new IllegalArgumentException("logging.format must be text or json, got '" + format + "'");
    }
    System.setProperty(PROPERTY, f);
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext ctx) || f.equals(ctx.getProperty(ACTIVE))) {
      return;
    }
    URL xml = ConfigurationWatchListUtil.getMainWatchURL(ctx);
    if (xml == null) {
      xml = LogFormat.class.getClassLoader().getResource("logback.xml");
    }
    ctx.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    try {
      configurator.doConfigure(xml);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging from " + xml, e);
    }
  }

  /**
   * The request id of a log line: {@code request_id} of the MDC when set (code that runs outside
   * Vert.x may set it), else the id bound to the Vert.x context the line is logged on.
   */
  public static String requestId(ILoggingEvent event) {
    String id = event.getMDCPropertyMap().get(RequestIds.LOG_KEY);
    return id != null ? id : RequestIds.current();
  }
}
