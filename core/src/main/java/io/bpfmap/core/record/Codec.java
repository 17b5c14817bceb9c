package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes values of a layout in memory, in one byte order. */
final class Codec {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  final ValueLayout.OfShort i16;
  final ValueLayout.OfInt i32;
  final ValueLayout.OfLong i64;
  final ValueLayout.OfFloat f32;
  final ValueLayout.OfDouble f64;

  Codec(ByteOrder order) {
    i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
    i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
    i64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
    f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order);
    f64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
  }

  // ---- unpack ----

  Map<String, Object> unpackStruct(Struct s, MemorySegment m, long base) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Field f : s.fields()) {
      if (!f.isPad()) {
        out.put(f.name(), unpack(f.node(), m, base));
      }
    }
    return out;
  }

  Object unpack(LayoutNode n, MemorySegment m, long base) {
    return switch (n) {
      case Scalar s -> read(s, m, base + s.offset());
      case ArrayOf a -> {
        List<Object> out = new ArrayList<>(a.elements().size());
        for (LayoutNode e : a.elements()) {
          out.add(unpack(e, m, base));
        }
        yield out;
      }
      case Struct st -> unpackStruct(st, m, base);
    };
  }

  Object read(Scalar s, MemorySegment m, long at) {
    return switch (s.format()) {
      case CHAR -> new byte[] {m.get(ValueLayout.JAVA_BYTE, at)};
      case INT8 -> m.get(ValueLayout.JAVA_BYTE, at);
      case UINT8 -> (short) (m.get(ValueLayout.JAVA_BYTE, at) & 0xFF);
      case BOOL -> m.get(ValueLayout.JAVA_BYTE, at) != 0;
      case INT16 -> m.get(i16, at);
      case UINT16 -> m.get(i16, at) & 0xFFFF;
      case INT32 -> m.get(i32, at);
      case UINT32 -> m.get(i32, at) & 0xFFFF_FFFFL;
      case LONG -> s.size() == 8 ? (Object) m.get(i64, at) : (Object) m.get(i32, at);
      case ULONG -> s.size() == 8 ? m.get(i64, at) : m.get(i32, at) & 0xFFFF_FFFFL;
      case INT64, UINT64, POINTER -> m.get(i64, at);
      case HALF -> Half.toFloat(m.get(i16, at));
      case FLOAT -> m.get(f32, at);
      case DOUBLE -> m.get(f64, at);
      case STRING -> m.asSlice(at, s.count()).toArray(ValueLayout.JAVA_BYTE);
      case PASCAL -> {
        int len = Math.min(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF, s.count() - 1);
        yield m.asSlice(at + 1, Math.max(0, len)).toArray(ValueLayout.JAVA_BYTE);
      }
      case PAD -> null;
    };
  }

  // ---- pack ----

  void packStruct(Struct s, Object value, MemorySegment m, long base, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new LayoutException(path, "expected a struct (map of fields), got " + typeOf(value));
    }
    for (Object k : map.keySet()) {
      if (!(k instanceof String name) || s.fields().stream().noneMatch(f -> !f.isPad() && f.name().equals(name))) {
        throw new LayoutException(join(path, String.valueOf(k)), "no such field in the layout");
      }
    }
    for (Field f : s.fields()) {
      if (f.isPad()) {
        continue;
      }
      String fp = join(path, f.name());
      if (!map.containsKey(f.name())) {
        throw new LayoutException(fp, "missing field");
      }
      pack(f.node(), map.get(f.name()), m, base, fp);
    }
  }

  void pack(LayoutNode n, Object value, MemorySegment m, long base, String path) {
    switch (n) {
      case Scalar s -> write(s, value, m, base + s.offset(), path);
      case ArrayOf a -> {
        List<?> list = asList(value, path);
        if (list.size() != a.elements().size()) {
          throw new LayoutException(path, "expected " + a.elements().size() + " elements, got " + list.size());
        }
        for (int i = 0; i < list.size(); i++) {
          pack(a.elements().get(i), list.get(i), m, base, path + "[" + i + "]");
        }
      }
      case Struct st -> packStruct(st, value, m, base, path);
    }
  }

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
      case INT16 -> m.set(i16, at, (short) integer(v, Short.MIN_VALUE, Short.MAX_VALUE, path, f));
      case UINT16 -> m.set(i16, at, (short) integer(v, 0, 0xFFFF, path, f));
      case INT32 -> m.set(i32, at, (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, path, f));
      case UINT32 -> m.set(i32, at, (int) integer(v, 0, 0xFFFF_FFFFL, path, f));
      case LONG -> {
        if (s.size() == 8) {
          m.set(i64, at, integer(v, Long.MIN_VALUE, Long.MAX_VALUE, path, f));
        } else {
          m.set(i32, at, (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, path, f));
        }
      }
      case ULONG -> {
        if (s.size() == 8) {
          m.set(i64, at, unsigned64(v, path, f));
        } else {
          m.set(i32, at, (int) integer(v, 0, 0xFFFF_FFFFL, path, f));
        }
      }
      case INT64 -> m.set(i64, at, integer(v, Long.MIN_VALUE, Long.MAX_VALUE, path, f));
      case UINT64, POINTER -> m.set(i64, at, unsigned64(v, path, f));
      case HALF -> {
        float x = number(v, path, f).floatValue();
        if (Float.isFinite(x) && Math.abs(x) > 65504f) {
          throw new LayoutException(path, x + " is out of range for 'e' (at most 65504 in magnitude)");
        }
        m.set(i16, at, Half.fromFloat(x));
      }
      case FLOAT -> m.set(f32, at, number(v, path, f).floatValue());
      case DOUBLE -> m.set(f64, at, number(v, path, f).doubleValue());
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

  private static byte[] bytes(Object v, int min, int max, String path, Format f) {
    byte[] b;
    if (v instanceof byte[] raw) {
      b = raw;
    } else if (v instanceof String s) {
      b = s.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new LayoutException(path, "expected bytes or a string for '" + f.letter + "', got " + typeOf(v));
    }
    if (b.length < min || b.length > max) {
      throw new LayoutException(path, b.length + " bytes do not fit '" + f.letter + "' ("
          + (min == max ? "exactly " + max : "at most " + max) + ")");
    }
    return b;
  }

  private static List<?> asList(Object v, String path) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof Collection<?> c) {
      return List.copyOf(c);
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
    return v == null ? "null" : v.getClass().getSimpleName() + " " + (v instanceof byte[] b ? b.length + " bytes" : v);
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
