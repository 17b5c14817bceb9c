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

  public char prefix() {
    return prefix;
  }

  public ByteOrder order() {
    return order;
  }

  /** True for {@code @}: fields are aligned as a C compiler aligns them. */
  public boolean aligned() {
    return aligned;
  }

  /** The mode for a prefix character, or null when {@code c} is not one. */
  public static ByteOrderMode ofPrefix(char c) {
    for (ByteOrderMode m : values()) {
      if (m.prefix == c) {
        return m;
      }
    }
    return null;
  }
}
