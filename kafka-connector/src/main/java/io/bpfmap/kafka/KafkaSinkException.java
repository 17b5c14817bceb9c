package io.bpfmap.kafka;

import io.bpfmap.core.BpfException;

/** Kafka refused records for good (too large, not authorized…) or could not be reached. */
public final class KafkaSinkException extends BpfException {
  private static final long serialVersionUID = 1L;

  public KafkaSinkException(String message, Throwable cause) {
    super(message, "kafka", cause);
  }
}
