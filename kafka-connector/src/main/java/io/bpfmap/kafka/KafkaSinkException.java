package io.bpfmap.kafka;

import io.bpfmap.core.BpfException;

/** Kafka refused records for good (too large, not authorized…), could not be reached, or a setting is bad. */
public final class KafkaSinkException extends BpfException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public KafkaSinkException(String message, Throwable cause) {
    this(message, null, cause);
  }

  /** A bad setting: {@code setting} is the producer property ({@code acks}, {@code bootstrap.servers}). */
  public KafkaSinkException(String message, String setting, Throwable cause) {
    super(message, "kafka", cause);
    this.setting = setting;
  }

  /** The producer property at fault, or null when the error is not about one setting. */
  public String setting() {
    return setting;
  }
}
