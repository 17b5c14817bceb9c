package io.bpfmap.exporter;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import io.bpfmap.core.record.JsonOut;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.event.KeyValuePair;

/**
 * Every log line of the daemon in one format, chosen with {@code --log-format}: {@code text}
 * ({@code 15:04:05.123 INFO  Daemon - message key=value}), {@code json} (one object a line: time,
 * level, logger, msg, then the event's key-value pairs) or {@code logfmt} ({@code time=… level=info
 * logger=Daemon msg="…" key=value}). A throwable is its one-line message, and its stack trace too in
 * {@code text} with {@code --verbose}.
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {
  /** The formats of {@code --log-format}. */
  enum Format { TEXT, JSON, LOGFMT }

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
      .withZone(ZoneId.systemDefault());
  private static volatile Format format = Format.TEXT;
  private static volatile boolean traces;

  /** The layout logback makes from {@code logback.xml}; {@link #use} picks the format. */
  public LogLayout() {}

  /** Chooses the format of every line from now on; {@code traces} adds stack traces to text lines. */
  static void use(Format f, boolean withTraces) {
    format = f;
    traces = withTraces;
  }

  /**
   * From now on, Kafka's client warnings (a broker that cannot be reached, a request that timed
   * out) are logged, unless {@code BPFMAP_KAFKA_LOG} sets their level. Until the daemon runs they
   * are not: a Kafka that cannot be reached at start is one line of bpfmap's own.
   */
  static void showKafkaWarnings() {
    if (System.getenv("BPFMAP_KAFKA_LOG") == null
        && org.slf4j.LoggerFactory.getLogger("org.apache.kafka.clients") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** True when lines are JSON or logfmt, which a plain line on stderr would break. */
  static boolean structured() {
    return format != Format.TEXT;
  }

  /** {@code text}, {@code json} or {@code logfmt}; anything else is an error naming the option. */
  static Format parse(String option, String value) {
    return switch (value) {
      case "text" -> Format.TEXT;
      case "json" -> Format.JSON;
      case "logfmt" -> Format.LOGFMT;
      default -> throw new CliException(option + ": '" + value + "' is not text, json or logfmt");
    };
  }

  @Override
  public String doLayout(ILoggingEvent e) {
    String logger = e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1);
    IThrowableProxy t = e.getThrowableProxy();
    String error = t == null ? null : t.getClassName() + ": " + t.getMessage();
    StringBuilder sb = new StringBuilder(128);
    switch (format) {
      case TEXT -> {
        sb.append(CLOCK.format(Instant.ofEpochMilli(e.getTimeStamp()))).append(' ')
            .append(String.format(Locale.ROOT, "%-5s", e.getLevel())).append(' ').append(logger).append(" - ")
            .append(e.getFormattedMessage());
        pairs(e, sb, " ", "=", false);
        if (t != null) {
          sb.append(traces ? "\n" + ThrowableProxyUtil.asString(t) : " (" + error + ")");
        }
      }
      case JSON -> {
        sb.append("{\"time\":").append(quote(Instant.ofEpochMilli(e.getTimeStamp()).toString()))
            .append(",\"level\":").append(quote(e.getLevel().toString().toLowerCase(Locale.ROOT)))
            .append(",\"logger\":").append(quote(logger)).append(",\"msg\":").append(quote(e.getFormattedMessage()));
        pairs(e, sb, ",", ":", true);
        if (error != null) {
          sb.append(",\"error\":").append(quote(error));
        }
        sb.append('}');
      }
      case LOGFMT -> {
        sb.append("time=").append(Instant.ofEpochMilli(e.getTimeStamp())).append(" level=")
            .append(e.getLevel().toString().toLowerCase(Locale.ROOT)).append(" logger=").append(logfmt(logger))
            .append(" msg=").append(logfmt(e.getFormattedMessage()));
        pairs(e, sb, " ", "=", false);
        if (error != null) {
          sb.append(" error=").append(logfmt(error));
        }
      }
    }
    return sb.append('\n').toString();
  }

  /** The event's key-value pairs (SLF4J's fluent API), as JSON members or key=value words. */
  private static void pairs(ILoggingEvent e, StringBuilder sb, String separator, String equals, boolean json) {
    if (e.getKeyValuePairs() == null) {
      return;
    }
    for (KeyValuePair kv : e.getKeyValuePairs()) {
      sb.append(separator).append(json ? quote(kv.key) : kv.key).append(equals);
      if (kv.value instanceof Number n) {
        sb.append(n);
      } else {
        sb.append(json ? quote(String.valueOf(kv.value)) : logfmt(String.valueOf(kv.value)));
      }
    }
  }

  private static String quote(String s) {
    return new String(new JsonOut().string(s).take(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A logfmt value: bare when it is one word, else quoted with JSON's escapes. */
  private static String logfmt(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c < 0x7f) ? s : quote(s);
  }
}
