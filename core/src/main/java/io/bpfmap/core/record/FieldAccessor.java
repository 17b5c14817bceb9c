package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Scalar;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A numeric field resolved once ({@code data[2]}, {@code nested.level2_1}) and read straight from
 * native memory without allocating. {@link #getLong} returns integers sign- or zero-extended
 * (Q, and L/P under {@code @}, as the unsigned bits); {@link #getDouble} reads any number,
 * unsigned 64-bit ones as their unsigned value. Made by {@link RecordLayout#accessor}; immutable
 * and thread-safe. A record that does not fit the segment throws the segment's
 * {@link IndexOutOfBoundsException}; writing to a read-only segment throws
 * {@link UnsupportedOperationException}.
 */
public final class FieldAccessor {
  private final String path;
  private final Format format;
  private final long offset;
  private final int size;
  private final Codec codec;
  private final int kind;

  private static final int K64 = 0;
  private static final int K32 = 1;
  private static final int KU32 = 2;
  private static final int K16 = 3;
  private static final int KU16 = 4;
  private static final int K8 = 5;
  private static final int KU8 = 6;
  private static final int KFLOAT = 7;
  private static final int KBITS = 8;
  /** The bitfield read, or null. */
  private final Bits bits;

  FieldAccessor(String path, LayoutNode node, Codec codec) {
    this.path = path;
    this.codec = codec;
    this.offset = node.offset();
    this.size = node.size();
    switch (node) {
      case Scalar scalar -> {
        if (!scalar.format().isInteger() && !scalar.format().isFloating()) {
          throw new LayoutException(path, "is a '" + scalar.format().letter + "' field, not a number");
        }
        this.format = scalar.format();
        this.bits = null;
      }
      case LayoutNode.Enum e -> {
        this.format = e.format();
        this.bits = null;
      }
      case Bits b -> {
        if (b.bits() > 64) {
          throw new LayoutException(path, "is a " + b.bits() + "-bit field, wider than a long");
        }
        this.format = b.signed() ? Format.INT64 : Format.UINT64;
        this.bits = b;
      }
      default -> throw new LayoutException(path, "is not a number");
    }
    this.kind = bits != null ? KBITS : switch (format) {
      case INT64, UINT64, POINTER -> K64;
      case LONG -> size == 8 ? K64 : K32;
      case ULONG -> size == 8 ? K64 : KU32;
      case INT32 -> K32;
      case UINT32 -> KU32;
      case INT16 -> K16;
      case UINT16 -> KU16;
      case INT8 -> K8;
      case UINT8, BOOL -> KU8;
      default -> KFLOAT;
    };
  }

  /**
   * {@return the integer at this field of the record starting at {@code base} in {@code m}}
   * @param m memory holding the record
   * @param base the record's byte offset in {@code m}
   * @throws LayoutException when the field is floating-point (use {@link #getDouble})
   */
  public long getLong(MemorySegment m, long base) {
    long at = base + offset;
    return switch (kind) {
      case K64 -> codec.i64(m, at);
      case K32 -> codec.i32(m, at);
      case KU32 -> codec.i32(m, at) & 0xFFFF_FFFFL;
      case K16 -> codec.i16(m, at);
      case KU16 -> codec.i16(m, at) & 0xFFFF;
      case K8 -> m.get(ValueLayout.JAVA_BYTE, at);
      case KU8 -> m.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
      case KBITS -> codec.bitsLong(bits, m, base);
      default -> throw new LayoutException(path, "is a floating-point field: read it with getDouble");
    };
  }

  /**
   * {@return the integer at this field of a record that starts at offset 0 of {@code record}}
   * @param record memory holding the record
   * @throws LayoutException when the field is floating-point (use {@link #getDouble})
   */
  public long getLong(MemorySegment record) {
    return getLong(record, 0);
  }

  /**
   * {@return the number at this field as a double; unsigned 64-bit values stay non-negative}
   * @param m memory holding the record
   * @param base the record's byte offset in {@code m}
   */
  public double getDouble(MemorySegment m, long base) {
    long at = base + offset;
    return switch (format) {
      case HALF -> Half.toFloat(codec.i16(m, at));
      case FLOAT -> codec.f32(m, at);
      case DOUBLE -> codec.f64(m, at);
      default -> {
        long v = getLong(m, base);
        yield unsigned64() && v < 0 ? (double) (v >>> 1) * 2.0 + (v & 1) : v;
      }
    };
  }

  /**
   * {@return the number at this field of a record that starts at offset 0 of {@code record}}
   * @param record memory holding the record
   */
  public double getDouble(MemorySegment record) {
    return getDouble(record, 0);
  }

  /**
   * Writes an integer to this field (truncated to its width), or a number to a floating field:
   * how aggregated per-CPU values are written back. A bitfield keeps its neighbours' bits.
   * @param m writable memory holding the record
   * @param base the record's byte offset in {@code m}
   * @param v the value; only its low bits are kept for a narrower field
   */
  public void putLong(MemorySegment m, long base, long v) {
    long at = base + offset;
    switch (kind) {
      case K64 -> codec.putI64(m, at, v);
      case K32, KU32 -> codec.putI32(m, at, (int) v);
      case K16, KU16 -> codec.putI16(m, at, (short) v);
      case K8, KU8 -> m.set(ValueLayout.JAVA_BYTE, at, (byte) v);
      case KBITS -> codec.putBits(bits, m, base, v);
      default -> putDouble(m, base, v);
    }
  }

  /**
   * Writes a floating-point value to a floating field; to an integer field it writes
   * {@code (long) v} as {@link #putLong} does (use that for integers).
   * @param m writable memory holding the record
   * @param base the record's byte offset in {@code m}
   * @param v the value, rounded to the field's precision ({@code e}, {@code f})
   */
  public void putDouble(MemorySegment m, long base, double v) {
    long at = base + offset;
    switch (format) {
      case HALF -> codec.putI16(m, at, Half.fromFloat((float) v));
      case FLOAT -> codec.putI32(m, at, Float.floatToRawIntBits((float) v));
      case DOUBLE -> codec.putI64(m, at, Double.doubleToRawLongBits(v));
      default -> putLong(m, base, (long) v);
    }
  }

  /** {@return true for signed integer and floating formats; false for unsigned ones and bool} */
  public boolean signed() {
    return format.signed;
  }

  /**
   * {@return true when {@link #getLong} returns unsigned 64-bit bits (print them with
   * {@link Long#toUnsignedString(long)})}
   */
  public boolean unsigned64() {
    return (format == Format.UINT64 || format == Format.POINTER || format == Format.ULONG)
        && (size == 8 || (bits != null && bits.bits() == 64));
  }

  /** {@return true for {@code e}, {@code f} and {@code d} fields: read them with getDouble} */
  public boolean floating() {
    return format.isFloating();
  }

  /** {@return the path this accessor was resolved from} */
  public String path() {
    return path;
  }

  /** {@return the field's byte offset in the record (a bitfield's: of the bytes that hold it)} */
  public long offset() {
    return offset;
  }

  /** {@return the format letter, e.g. {@code Q}; a bitfield is {@code q} or {@code Q}} */
  public char format() {
    return format.letter;
  }
}
