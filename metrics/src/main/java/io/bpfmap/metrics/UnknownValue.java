package io.bpfmap.metrics;

/**
 * What a {@link LabelDecoder} throws for a value it has no name for: the series gets
 * {@link #fallback()} as its label value, or none (the event is not counted) when the fallback is
 * null, and the value is counted in {@code bpfmap_labels_unknown_total{map,label}}. It carries no
 * stack trace: it is a verdict, not a failure, and may come once per event.
 */
public final class UnknownValue extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient String fallback;

  /**
   * A value without a name.
   *
   * @param fallback the label value to use instead (the value as a number, say), or null to drop
   *     the event's series
   */
  public UnknownValue(String fallback) {
    super(null, null, false, false);
    this.fallback = fallback;
  }

  /** {@return the label value to use instead, or null to drop the series} */
  public String fallback() {
    return fallback;
  }
}
