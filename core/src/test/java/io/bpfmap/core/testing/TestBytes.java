package io.bpfmap.core.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Keys and values with recognisable contents for kernel tests. */
public final class TestBytes {
  private TestBytes() {}

  /** A {@code size}-byte key holding {@code i} in its first 8 bytes (native order). */
  public static byte[] key(int size, long i) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    if (size >= 8) {
      b.putLong(0, i);
    } else {
      b.putInt(0, (int) i);
    }
    return b.array();
  }

  /** A {@code size}-byte value whose 8-byte words are {@code i * 1000 + word + salt}. */
  public static byte[] value(int size, long i, long salt) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    for (int off = 0; off + 8 <= size; off += 8) {
      b.putLong(off, i * 1000 + off / 8 + salt);
    }
    for (int off = size & ~7; off < size; off++) {
      b.put(off, (byte) (i + salt));
    }
    return b.array();
  }

  public static long firstLong(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getLong(0);
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
