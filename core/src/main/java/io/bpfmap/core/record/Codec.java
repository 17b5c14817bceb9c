package io.bpfmap.core.record;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes values of a layout in memory, in one byte order. */
final class Codec {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  // Constant layouts for both orders: the JIT folds a constant layout's access to a plain load,
  // which a layout held in a field would prevent.
  private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F64_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private final boolean big;

  Codec(ByteOrder order) {
    big = order == ByteOrder.BIG_ENDIAN;
  }

  short i16(MemorySegment m, long at) {
    return big ? m.get(I16_BE, at) : m.get(I16_LE, at);
  }

  int i32(MemorySegment m, long at) {
    return big ? m.get(I32_BE, at) : m.get(I32_LE, at);
  }

  long i64(MemorySegment m, long at) {
    return big ? m.get(I64_BE, at) : m.get(I64_LE, at);
  }

  float f32(MemorySegment m, long at) {
    return big ? m.get(F32_BE, at) : m.get(F32_LE, at);
  }

  double f64(MemorySegment m, long at) {
    return big ? m.get(F64_BE, at) : m.get(F64_LE, at);
  }

  void putI16(MemorySegment m, long at, short v) {
    m.set(big ? I16_BE : I16_LE, at, v);
  }

  void putI32(MemorySegment m, long at, int v) {
    m.set(big ? I32_BE : I32_LE, at, v);
  }

  void putI64(MemorySegment m, long at, long v) {
    m.set(big ? I64_BE : I64_LE, at, v);
  }

  /** An enum's value, read as an integer of its format (Q as the long of its bits). */
  long enumValue(LayoutNode.Enum e, MemorySegment m, long at) {
    return switch (e.format()) {
      case INT8 -> m.get(ValueLayout.JAVA_BYTE, at);
      case UINT8 -> m.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
      case INT16 -> i16(m, at);
      case UINT16 -> i16(m, at) & 0xFFFF;
      case INT32 -> i32(m, at);
      case UINT32 -> i32(m, at) & 0xFFFF_FFFFL;
      default -> i64(m, at);
    };
  }

  /** {@code v} as {@link #enumValue} would read its low bytes back for {@code f}. */
  static long narrow(Format f, long v) {
    return switch (f) {
      case INT8 -> (byte) v;
      case UINT8 -> v & 0xFF;
      case INT16 -> (short) v;
      case UINT16 -> v & 0xFFFF;
      case INT32 -> (int) v;
      case UINT32 -> v & 0xFFFF_FFFFL;
      default -> v;
    };
  }

  /** A bitfield's bits, sign-extended when signed: a Long up to 64 bits, a BigInteger past. */
  Object bitsValue(Bits b, MemorySegment m, long base) {
    if (b.bits() <= 64) {
      return bitsLong(b, m, base);
    }
    BigInteger raw = new BigInteger(1, reversed(m, base + b.offset(), b.size())).shiftRight(b.bitOffset())
        .and(BigInteger.ONE.shiftLeft(b.bits()).subtract(BigInteger.ONE));
    return b.signed() && raw.testBit(b.bits() - 1) ? raw.subtract(BigInteger.ONE.shiftLeft(b.bits())) : raw;
  }

  /** A bitfield of at most 64 bits, as a long: sign-extended when signed. */
  long bitsLong(Bits b, MemorySegment m, long base) {
    long v = bitsRaw64(b, m, base);
    if (b.bits() == 64) {
      return v;
    }
    return b.signed() && (v >>> (b.bits() - 1)) != 0 ? v - (1L << b.bits()) : v;
  }

  /** The bits of a bitfield of at most 64 bits (over up to 9 bytes), not sign-extended. */
  long bitsRaw64(Bits b, MemorySegment m, long base) {
    long raw = 0;
    long at = base + b.offset();
    int n = Math.min(b.size(), 8);
    for (int i = n - 1; i >= 0; i--) {
      raw = (raw << 8) | (m.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF);
    }
    long v = raw >>> b.bitOffset();
    if (b.size() > 8) {
      v |= (m.get(ValueLayout.JAVA_BYTE, at + 8) & 0xFFL) << (64 - b.bitOffset());
    }
    return b.bits() == 64 ? v : v & ((1L << b.bits()) - 1);
  }

  /** Writes the low {@code bits.bits()} bits of {@code v} into a bitfield (of at most 64 bits), keeping the rest. */
  void putBits(Bits b, MemorySegment m, long base, long v) {
    long at = base + b.offset();
    long mask = b.bits() == 64 ? -1L : (1L << b.bits()) - 1;
    for (int i = 0; i < b.size(); i++) {
      int shift = 8 * i - b.bitOffset();
      long bitsHere = shift >= 0 ? (v & mask) >>> shift : (v & mask) << -shift;
      long maskHere = shift >= 0 ? mask >>> shift : mask << -shift;
      byte old = m.get(ValueLayout.JAVA_BYTE, at + i);
      m.set(ValueLayout.JAVA_BYTE, at + i, (byte) ((old & ~maskHere) | (bitsHere & maskHere)));
    }
  }

  private static byte[] reversed(MemorySegment m, long at, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = m.get(ValueLayout.JAVA_BYTE, at + n - 1 - i);
    }
    return out;
  }

  Object read(Scalar s, MemorySegment m, long at) {
    return switch (s.format()) {
      case CHAR -> new byte[] {m.get(ValueLayout.JAVA_BYTE, at)};
      case INT8 -> m.get(ValueLayout.JAVA_BYTE, at);
      case UINT8 -> (short) (m.get(ValueLayout.JAVA_BYTE, at) & 0xFF);
      case BOOL -> m.get(ValueLayout.JAVA_BYTE, at) != 0;
      case INT16 -> i16(m, at);
      case UINT16 -> i16(m, at) & 0xFFFF;
      case INT32 -> i32(m, at);
      case UINT32 -> i32(m, at) & 0xFFFF_FFFFL;
      case LONG -> s.size() == 8 ? (Object) i64(m, at) : (Object) i32(m, at);
      case ULONG -> s.size() == 8 ? i64(m, at) : i32(m, at) & 0xFFFF_FFFFL;
      case INT64, UINT64, POINTER -> i64(m, at);
      case HALF -> Half.toFloat(i16(m, at));
      case FLOAT -> f32(m, at);
      case DOUBLE -> f64(m, at);
      case STRING -> m.asSlice(at, s.count()).toArray(ValueLayout.JAVA_BYTE);
      case PASCAL -> {
        int len = Math.min(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF, s.count() - 1);
        yield m.asSlice(at + 1, Math.max(0, len)).toArray(ValueLayout.JAVA_BYTE);
      }
      case PAD -> null;
    };
  }

  // ---- pack ----

  void write(Scalar s, Object v, MemorySegment m, long at, String path) {
    Format f = s.format();
    if (v == null) {
      throw new LayoutException(path, "null is not a value for '" + f.letter + "'");
    }
    switch (f) {
      case CHAR -> m.set(ValueLayout.JAVA_BYTE, at, bytes(v, 1, 1, path, f)[0]);
      case BOOL -> m.set(ValueLayout.JAVA_BYTE, at, (byte) (bool(v, path) ? 1 : 0));
      case INT8 -> m.set(ValueLayout.JAVA_BYTE, at, (byte) integer(v, -128, 127, path, f));
      case UINT8 -> m.set(ValueLayout.JAVA_BYTE, at, (byte) integer(v, 0, 255, path, f));
      case INT16 -> putI16(m, at, (short) integer(v, Short.MIN_VALUE, Short.MAX_VALUE, path, f));
      case UINT16 -> putI16(m, at, (short) integer(v, 0, 0xFFFF, path, f));
      case INT32 -> putI32(m, at, (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, path, f));
      case UINT32 -> putI32(m, at, (int) integer(v, 0, 0xFFFF_FFFFL, path, f));
      case LONG -> {
        if (s.size() == 8) {
          putI64(m, at, integer(v, Long.MIN_VALUE, Long.MAX_VALUE, path, f));
        } else {
          putI32(m, at, (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, path, f));
        }
      }
      case ULONG -> {
        if (s.size() == 8) {
          putI64(m, at, unsigned64(v, path, f));
        } else {
          putI32(m, at, (int) integer(v, 0, 0xFFFF_FFFFL, path, f));
        }
      }
      case INT64 -> putI64(m, at, integer(v, Long.MIN_VALUE, Long.MAX_VALUE, path, f));
      case UINT64, POINTER -> putI64(m, at, unsigned64(v, path, f));
      case HALF -> putI16(m, at, Half.fromFloat(floating(v, 65504, path, f).floatValue()));
      case FLOAT -> putI32(m, at, Float.floatToRawIntBits(floating(v, Float.MAX_VALUE, path, f).floatValue()));
      case DOUBLE -> putI64(m, at, Double.doubleToRawLongBits(floating(v, Double.MAX_VALUE, path, f).doubleValue()));
      case STRING -> {
        byte[] b = bytes(v, 0, s.count(), path, f);
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, at, b.length);
        m.asSlice(at + b.length, s.count() - b.length).fill((byte) 0);
      }
      case PASCAL -> {
        byte[] b = bytes(v, 0, Math.min(255, s.count() - 1), path, f);
        m.set(ValueLayout.JAVA_BYTE, at, (byte) b.length);
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, at + 1, b.length);
        m.asSlice(at + 1 + b.length, s.count() - 1 - b.length).fill((byte) 0);
      }
      case PAD -> m.asSlice(at, s.count()).fill((byte) 0);
    }
  }

  /** Writes a bitfield's bits into its bytes, keeping the bits around it. */
  void writeBits(Bits b, Object v, MemorySegment m, long base, String path) {
    if (v == null) {
      throw new LayoutException(path, "null is not a value for a bitfield");
    }
    BigInteger x = v instanceof BigInteger big ? big
        : v instanceof Long l && !b.signed() && b.bits() == 64 ? new BigInteger(Long.toUnsignedString(l))
        : v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
            ? BigInteger.valueOf(((Number) v).longValue()) : null;
    if (x == null) {
      throw new LayoutException(path, "expected an integer for a bitfield, got " + typeOf(v));
    }
    BigInteger min = b.signed() ? BigInteger.ONE.shiftLeft(b.bits() - 1).negate() : BigInteger.ZERO;
    BigInteger max = BigInteger.ONE.shiftLeft(b.signed() ? b.bits() - 1 : b.bits()).subtract(BigInteger.ONE);
    if (x.compareTo(min) < 0 || x.compareTo(max) > 0) {
      throw new LayoutException(path, x + " is out of range for a " + b.bits() + "-bit " + (b.signed() ? "signed " : "")
          + "bitfield (" + min + ".." + max + ")");
    }
    BigInteger mask = BigInteger.ONE.shiftLeft(b.bits()).subtract(BigInteger.ONE).shiftLeft(b.bitOffset());
    BigInteger bits = x.and(BigInteger.ONE.shiftLeft(b.bits()).subtract(BigInteger.ONE)).shiftLeft(b.bitOffset());
    long at = base + b.offset();
    BigInteger word = new BigInteger(1, reversed(m, at, b.size())).andNot(mask).or(bits);
    for (int i = 0; i < b.size(); i++) {
      m.set(ValueLayout.JAVA_BYTE, at + i, word.shiftRight(8 * i).byteValue());
    }
  }

  /** Writes an enum: one of its names, or an integer its letter takes. */
  void writeEnum(LayoutNode.Enum e, Object v, MemorySegment m, long at, String path) {
    if (v instanceof String name) {
      Long value = e.byName().get(name);
      if (value == null) {
        throw new LayoutException(path, "'" + BpfException.show(name) + "' is not one of the enum's names "
            + BpfException.show(e.byName().keySet()));
      }
      v = value;
    }
    write(new Scalar(e.id(), e.format(), 1, e.offset(), e.size(), e.size()), v, m, at, path);
  }

  private static long integer(Object v, long min, long max, String path, Format f) {
    long x;
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      x = ((Number) v).longValue();
    } else if (v instanceof BigInteger b && b.bitLength() < 64) {
      x = b.longValue();
    } else if (v instanceof BigInteger b) {
      throw outOfRange(path, b.toString(), f, min, max);
    } else {
      throw new LayoutException(path, "expected an integer for '" + f.letter + "', got " + typeOf(v));
    }
    if (x < min || x > max) {
      throw outOfRange(path, Long.toString(x), f, min, max);
    }
    return x;
  }

  /** Unsigned 64-bit: a long holds the bits as they are; smaller types and BigInteger must be 0..2^64-1. */
  private static long unsigned64(Object v, String path, Format f) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof BigInteger b) {
      if (b.signum() < 0 || b.compareTo(TWO_64) >= 0) {
        throw new LayoutException(path, b + " is out of range for '" + f.letter + "' (0..18446744073709551615)");
      }
      return b.longValue();
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      long x = ((Number) v).longValue();
      if (x < 0) {
        throw new LayoutException(path, x + " is out of range for '" + f.letter + "' (0..18446744073709551615)");
      }
      return x;
    }
    throw new LayoutException(path, "expected an integer for '" + f.letter + "', got " + typeOf(v));
  }

  private static LayoutException outOfRange(String path, String x, Format f, long min, long max) {
    return new LayoutException(path, x + " is out of range for '" + f.letter + "' (" + min + ".." + max + ")");
  }

  /**
   * A number for e, f or d: infinities and NaN are values of their own, but a finite number too
   * large for the letter is refused (it would be stored as an infinity), the same for every letter.
   */
  private static Number floating(Object v, double max, String path, Format f) {
    Number n = number(v, path, f);
    double x = n.doubleValue();
    boolean givenFinite = !(n instanceof Double || n instanceof Float) || Double.isFinite(x);
    if (givenFinite && !(Math.abs(x) <= max)) {
      throw new LayoutException(path, BpfException.show(n) + " is out of range for '" + f.letter + "' (at most "
          + (f == Format.HALF ? "65504" : Double.toString(max)) + " in magnitude)");
    }
    return n;
  }

  private static Number number(Object v, String path, Format f) {
    if (v instanceof Number n) {
      return n;
    }
    throw new LayoutException(path, "expected a number for '" + f.letter + "', got " + typeOf(v));
  }

  private static boolean bool(Object v, String path) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n && (n.longValue() == 0 || n.longValue() == 1)) {
      return n.longValue() == 1;
    }
    throw new LayoutException(path, "expected true or false for '?', got " + typeOf(v));
  }

  static byte[] bytes(Object v, int min, int max, String path, Format f) {
    return bytes(v, min, max, path, "'" + f.letter + "'");
  }

  /** As {@link #bytes(Object, int, int, String, Format)}, for a type named {@code type}. */
  static byte[] bytes(Object v, int min, int max, String path, String type) {
    byte[] b;
    if (v instanceof byte[] raw) {
      b = raw;
    } else if (v instanceof String s) {
      b = s.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new LayoutException(path, "expected bytes or a string for " + type + ", got " + typeOf(v));
    }
    if (b.length < min || b.length > max) {
      throw new LayoutException(path, b.length + " bytes do not fit " + type + " ("
          + (min == max ? "exactly " + max : "at most " + max) + ")");
    }
    return b;
  }

  static List<?> asList(Object v, String path) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof Collection<?> c) {
      return new java.util.ArrayList<>(c);
    }
    if (v instanceof Object[] a) {
      return Arrays.asList(a);
    }
    if (v instanceof long[] a) {
      return Arrays.stream(a).boxed().toList();
    }
    if (v instanceof int[] a) {
      return Arrays.stream(a).boxed().toList();
    }
    throw new LayoutException(path, "expected an array (list), got " + typeOf(v));
  }

  static String typeOf(Object v) {
    return v == null ? "null" : v.getClass().getSimpleName() + " " + BpfException.show(v);
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
