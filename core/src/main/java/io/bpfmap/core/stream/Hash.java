package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A fast 64-bit mixing hash over memory (keys in the change table, value fingerprints). */
final class Hash {
  private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final long K = 0x9E3779B97F4A7C15L;

  private Hash() {}

  static long mix(long h, MemorySegment m, long off, int len) {
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      h = Long.rotateLeft((h ^ m.get(WORD, off + i)) * K, 29);
    }
    long tail = 0;
    for (; i < len; i++) {
      tail = (tail << 8) | (m.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF);
    }
    h = Long.rotateLeft((h ^ tail ^ len) * K, 29);
    return finish(h);
  }

  /** Mixes one value in. */
  static long mix(long h, long v) {
    return Long.rotateLeft((h ^ v) * K, 29);
  }

  static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return h;
  }
}
