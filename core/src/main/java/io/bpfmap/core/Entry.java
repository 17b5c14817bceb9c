package io.bpfmap.core;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One key and its value, as raw bytes; equal when the bytes are equal. The arrays are held as
 * given, not copied.
 *
 * @param key the key's bytes, {@link BpfMap#keySize()} long
 * @param value the value's bytes, {@link BpfMap#valueBufferSize()} long (all CPUs' on per-CPU maps)
 */
public record Entry(byte[] key, byte[] value) {
  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
  }
}
