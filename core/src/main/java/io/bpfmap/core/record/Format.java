package io.bpfmap.core.record;

/**
 * One Python struct format letter: its size and alignment under a byte-order mode, and how its
 * value is represented in Java (the unsigned letters B, H, I widen; Q, and L/P in native mode,
 * are longs holding the unsigned bits).
 */
enum Format {
  PAD('x', 1, 1, false),
  CHAR('c', 1, 1, false),
  INT8('b', 1, 1, true),
  UINT8('B', 1, 1, false),
  BOOL('?', 1, 1, false),
  INT16('h', 2, 2, true),
  UINT16('H', 2, 2, false),
  INT32('i', 4, 4, true),
  UINT32('I', 4, 4, false),
  LONG('l', 4, 8, true),
  ULONG('L', 4, 8, false),
  INT64('q', 8, 8, true),
  UINT64('Q', 8, 8, false),
  HALF('e', 2, 2, true),
  FLOAT('f', 4, 4, true),
  DOUBLE('d', 8, 8, true),
  STRING('s', 1, 1, false),
  PASCAL('p', 1, 1, false),
  POINTER('P', -1, 8, false);

  final char letter;
  private final int standardSize;
  private final int nativeSize;
  final boolean signed;

  Format(char letter, int standardSize, int nativeSize, boolean signed) {
    this.letter = letter;
    this.standardSize = standardSize;
    this.nativeSize = nativeSize;
    this.signed = signed;
  }

  static Format of(char letter) {
    for (Format f : values()) {
      if (f.letter == letter) {
        return f;
      }
    }
    return null;
  }

  /** Bytes of one value; -1 when the letter has no size in this mode (P outside {@code @}). */
  int size(ByteOrderMode mode) {
    return mode.aligned() ? nativeSize : standardSize;
  }

  /** True for letters whose repeat count is a byte length (s, p) rather than a number of values. */
  boolean isBytes() {
    return this == STRING || this == PASCAL;
  }

  boolean isFloating() {
    return this == HALF || this == FLOAT || this == DOUBLE;
  }

  /** True for integer letters (including bool and pointer), false for floats, bytes and pad. */
  boolean isInteger() {
    return !isFloating() && !isBytes() && this != PAD && this != CHAR;
  }
}
