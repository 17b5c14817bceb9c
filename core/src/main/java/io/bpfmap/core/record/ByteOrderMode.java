package io.bpfmap.core.record;

import java.nio.ByteOrder;

/** Python struct's byte-order prefixes; {@link #NATIVE} ({@code =}) is the seed's default. */
public enum ByteOrderMode {
  /** {@code @}: native order, native sizes, C alignment and tail padding. */
  NATIVE_ALIGNED('@', ByteOrder.nativeOrder(), true),
  /** {@code =}: native order, standard sizes, packed. */
  NATIVE('=', ByteOrder.nativeOrder(), false),
  /** {@code <}: little-endian, standard sizes, packed. */
  LITTLE('<', ByteOrder.LITTLE_ENDIAN, false),
  /** {@code >}: big-endian, standard sizes, packed. */
  BIG('>', ByteOrder.BIG_ENDIAN, false),
  /** {@code !}: network order (big-endian), standard sizes, packed. */
  NETWORK('!', ByteOrder.BIG_ENDIAN, false);

  private final char prefix;
  private final ByteOrder order;
  private final boolean aligned;

  ByteOrderMode(char prefix, ByteOrder order, boolean aligned) {
    this.prefix = prefix;
    this.order = order;
    this.aligned = aligned;
  }

  /** {@return the prefix character: {@code @ = < > !}} */
  public char prefix() {
    return prefix;
  }

  /** {@return the byte order of multi-byte values; native order for {@code @} and {@code =}} */
  public ByteOrder order() {
    return order;
  }

  /** {@return true for {@code @}: native sizes, fields aligned as a C compiler aligns them} */
  public boolean aligned() {
    return aligned;
  }

  /**
   * {@return the mode for a prefix character, or null when {@code c} is not one}
   * @param c a character such as the first of a layout's text
   */
  public static ByteOrderMode ofPrefix(char c) {
    for (ByteOrderMode m : values()) {
      if (m.prefix == c) {
        return m;
      }
    }
    return null;
  }
}
