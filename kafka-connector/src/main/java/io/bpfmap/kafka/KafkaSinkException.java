package io.bpfmap.kafka;

import io.bpfmap.core.BpfException;

/**
 * Kafka refused records for good (too large, not authorized…), could not be reached, or a setting
 * is bad.
 */
public final class KafkaSinkException extends BpfException {
  private static final long serialVersionUID = 1L;

  /** The producer property at fault, or null. */
  private final String setting;

  /**
   * An error that is not about one setting.
   *
   * @param message a one-line message naming the map, topic or servers concerned
   * @param cause what Kafka threw, or null
   */
  public KafkaSinkException(String message, Throwable cause) {
    this(message, null, cause);
  }

  /**
   * An error about a setting.
   *
   * @param message a one-line message
   * @param setting the producer property at fault ({@code acks}, {@code bootstrap.servers}), or
   *     null when the error is not about one setting
   * @param cause what Kafka threw, or null
   */
  public KafkaSinkException(String message, String setting, Throwable cause) {
    super(message, "kafka", cause);
    this.setting = setting;
  }

  /** {@return the producer property at fault, or null when the error is not about one setting} */
  public String setting() {
    return setting;
  }
}
