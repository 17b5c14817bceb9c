package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random layouts in the seed's notation, and canonical bytes and values for them. */
public final class LayoutGen {
  private static final String LETTERS = "xcbB?hHiIlLqQefdspP";

  private LayoutGen() {}

  /** Layouts nested to depth 3, with every letter and every byte order. */
  public static Arbitrary<RecordLayout> layouts() {
    return Combinators.combine(Arbitraries.of(ByteOrderMode.values()), struct(3)).as((mode, spec) -> {
      try {
        return RecordLayout.of(spec, mode);
      } catch (LayoutException pointerOutsideNativeMode) {
        return null;
      }
    }).filter(l -> l != null);
  }

  /**
   * Layouts in the explicit forms BTF gives (native order): bitfields of 1 to 72 bits at any bit,
   * enums of every letter, char arrays, unions, nested and anonymous structs and unions.
   */
  public static Arbitrary<RecordLayout> explicitLayouts() {
    return Arbitraries.longs().map(seed -> {
      Random r = new Random(seed);
      return RecordLayout.of(r.nextInt(5) == 0 ? bare(r) : explicit(r, 3, new int[1]), ByteOrderMode.NATIVE);
    });
  }

  /** Letter layouts and explicit ones. */
  public static Arbitrary<RecordLayout> anyLayouts() {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, layouts()), net.jqwik.api.Tuple.of(1, explicitLayouts()));
  }

  private static final String SIZED = "bBhHiIqQfd";

  private static int sizeOf(char letter) {
    return switch (letter) {
      case 'b', 'B' -> 1;
      case 'h', 'H' -> 2;
      case 'i', 'I', 'f' -> 4;
      default -> 8;
    };
  }

  /** An explicit struct of random members, placed as a C compiler would (bitfields packed). */
  private static Map<String, Object> explicit(Random r, int depth, int[] names) {
    List<Object> body = new ArrayList<>();
    body.add(0);
    long bit = 0;
    int align = 1;
    int n = 1 + r.nextInt(5);
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(depth > 0 ? 7 : 5);
      String name = "f" + names[0]++;
      if (kind == 0) {
        int width = 1 + r.nextInt(r.nextBoolean() ? 8 : 72);
        body.add(List.of(name, bit, Map.of(".bits", List.of(width, r.nextBoolean()))));
        bit += width;
        continue;
      }
      Object format;
      int size;
      int memberAlign;
      switch (kind) {
        case 1 -> {
          char letter = "bBhHiIqQ".charAt(r.nextInt(8));
          format = enumOf(letter, r);
          size = memberAlign = sizeOf(letter);
        }
        case 2 -> {
          size = 1 + r.nextInt(8);
          memberAlign = 1;
          format = Map.of(".chars", List.of(size, r.nextBoolean()));
        }
        case 3 -> {
          char letter = SIZED.charAt(r.nextInt(SIZED.length()));
          int count = 1 + r.nextInt(2);
          format = count == 1 ? String.valueOf(letter) : count + String.valueOf(letter);
          memberAlign = sizeOf(letter);
          size = count * memberAlign;
        }
        case 4 -> {
          format = "B";
          size = memberAlign = 1;
        }
        case 5 -> {
          Map<String, Object> u = union(r, names);
          format = u;
          size = (Integer) ((List<?>) u.get(".union")).get(0);
          memberAlign = size >= 8 ? 8 : Integer.highestOneBit(size);
          name = r.nextBoolean() ? "" : name;
        }
        default -> {
          Map<String, Object> st = explicit(r, depth - 1, names);
          format = st;
          size = (Integer) ((List<?>) st.get(".struct")).get(0);
          memberAlign = size >= 8 ? 8 : Integer.highestOneBit(size);
          name = r.nextBoolean() ? "" : name;
        }
      }
      long at = alignUp((bit + 7) / 8, memberAlign);
      body.add(List.of(name, at * 8, format));
      bit = (at + size) * 8;
      align = Math.max(align, memberAlign);
    }
    body.set(0, (int) alignUp((bit + 7) / 8, align));
    return Map.of(".struct", body);
  }

  /** A record that is one value: an enum, chars, a number or an array of numbers. */
  private static Map<String, Object> bare(Random r) {
    char letter = "bBhHiIqQ".charAt(r.nextInt(8));
    Object format = switch (r.nextInt(4)) {
      case 0 -> enumOf(letter, r);
      case 1 -> Map.of(".chars", List.of(1 + r.nextInt(16), r.nextBoolean()));
      case 2 -> String.valueOf(letter);
      default -> (2 + r.nextInt(3)) + String.valueOf(letter);
    };
    return Map.of(".bare", List.of(r.nextBoolean() ? "key" : "value", format));
  }

  private static Map<String, Object> union(Random r, int[] names) {
    List<Object> body = new ArrayList<>();
    body.add(0);
    int size = 1;
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      boolean chars = r.nextInt(4) == 0;
      boolean isEnum = !chars && r.nextBoolean();
      char letter = isEnum ? "bBhHiIqQ".charAt(r.nextInt(8)) : SIZED.charAt(r.nextInt(SIZED.length()));
      int count = 1 + r.nextInt(8);
      body.add(List.of("f" + names[0]++, chars ? Map.of(".chars", List.of(count, false))
          : isEnum ? enumOf(letter, r) : String.valueOf(letter)));
      size = Math.max(size, chars ? count : sizeOf(letter));
    }
    body.set(0, size);
    return Map.of(".union", body);
  }

  private static Map<String, Object> enumOf(char letter, Random r) {
    Map<String, Object> names = new LinkedHashMap<>();
    int bits = 8 * sizeOf(letter);
    boolean signed = Character.isLowerCase(letter);
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      long v = r.nextInt(3) == 0 ? i : r.nextLong();
      if (bits < 64) {
        v = signed ? (v << (64 - bits)) >> (64 - bits) : v & ((1L << bits) - 1);
      }
      names.put("E" + i, letter == 'Q' && v < 0 ? new java.math.BigInteger(Long.toUnsignedString(v)) : v);
    }
    return Map.of(".enum", List.of(String.valueOf(letter), names));
  }

  private static long alignUp(long at, int align) {
    return (at + align - 1) / align * align;
  }

  private static Arbitrary<List<Object>> struct(int depth) {
    return format(depth - 1).list().ofMinSize(1).ofMaxSize(5).map(formats -> {
      List<Object> fields = new ArrayList<>();
      for (int i = 0; i < formats.size(); i++) {
        fields.add(List.of("f" + i, formats.get(i)));
      }
      return fields;
    });
  }

  private static Arbitrary<Object> format(int depth) {
    Arbitrary<Object> letter = Arbitraries.of(LETTERS.chars().mapToObj(c -> String.valueOf((char) c)).toList())
        .map(s -> (Object) s);
    Arbitrary<Object> counted = Combinators.combine(Arbitraries.integers().between(1, 5), Arbitraries.of("x", "s", "p", "Q", "B", "h"))
        .as((n, l) -> (Object) (n + l));
    if (depth <= 0) {
      return Arbitraries.oneOf(letter, counted);
    }
    Arbitrary<Object> array = Arbitraries.oneOf(letter.filter(s -> !s.equals("x")), counted.filter(s -> !((String) s).endsWith("x")))
        .list().ofMinSize(1).ofMaxSize(3).map(l -> (Object) l);
    Arbitrary<Object> nested = Arbitraries.lazy(() -> struct(depth)).map(s -> (Object) s);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, letter), net.jqwik.api.Tuple.of(2, counted),
        net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, nested));
  }

  /** Random bytes made canonical where a format has one encoding per value (?, p). */
  static byte[] canonicalBytes(RecordLayout layout, Random r) {
    byte[] b = new byte[layout.size()];
    r.nextBytes(b);
    canonicalize(layout.root(), b, r);
    return b;
  }

  private static void canonicalize(LayoutNode n, byte[] b, Random r) {
    switch (n) {
      case Scalar s when s.format() == Format.BOOL -> b[s.offset()] = (byte) (r.nextBoolean() ? 1 : 0);
      case Scalar s when s.format() == Format.PASCAL -> {
        int len = r.nextInt(Math.min(255, s.count() - 1) + 1);
        b[s.offset()] = (byte) len;
        for (int i = s.offset() + 1 + len; i < s.offset() + s.count(); i++) {
          b[i] = 0;
        }
      }
      case ArrayOf a -> a.elements().forEach(e -> canonicalize(e, b, r));
      case Struct st -> st.fields().forEach(f -> canonicalize(f.node(), b, r));
      default -> { }
    }
  }

  /** The same bytes with every pad bit (explicit x, alignment holes, bits no bitfield has) zero. */
  static byte[] zeroPads(RecordLayout layout, byte[] bytes) {
    boolean[] value = new boolean[bytes.length * 8];
    markValues(layout.root(), value);
    byte[] out = bytes.clone();
    for (int i = 0; i < value.length; i++) {
      if (!value[i]) {
        out[i / 8] &= (byte) ~(1 << (i % 8));
      }
    }
    return out;
  }

  private static void markValues(LayoutNode n, boolean[] value) {
    switch (n) {
      case Scalar s when s.format() == Format.PAD -> { }
      case ArrayOf a -> a.elements().forEach(e -> markValues(e, value));
      case Struct st -> st.fields().forEach(f -> markValues(f.node(), value));
      case Union u -> u.members().forEach(f -> markValues(f.node(), value));
      case Bits bits -> {
        for (int i = 0; i < bits.bits(); i++) {
          int at = bits.bitOffset() + i;
          value[bits.offset() * 8 + at] = true;
        }
      }
      default -> {
        for (int i = 0; i < 8 * n.size(); i++) {
          value[8 * n.offset() + i] = true;
        }
      }
    }
  }

  /** A random value of the layout, of the Java types unpack produces. */
  public static Map<String, Object> value(RecordLayout layout, Random r) {
    @SuppressWarnings("unchecked")
    Map<String, Object> v = (Map<String, Object>) value(layout.root(), r);
    return v;
  }

  private static Object value(LayoutNode n, Random r) {
    return switch (n) {
      case Scalar s -> scalar(s, r);
      case ArrayOf a -> {
        List<Object> out = new ArrayList<>();
        a.elements().forEach(e -> out.add(value(e, r)));
        yield out;
      }
      case Struct st -> members(st.fields(), r, new LinkedHashMap<>(), true);
      case Union u -> members(u.members(), r, new LinkedHashMap<>(), false);
      case Bits b when b.bits() > 64 -> {
        java.math.BigInteger v = new java.math.BigInteger(b.bits(), r);
        yield b.signed() && v.testBit(b.bits() - 1) ? v.subtract(java.math.BigInteger.ONE.shiftLeft(b.bits())) : v;
      }
      case Bits b -> {
        long v = r.nextLong();
        int width = Math.min(b.bits(), 64);
        yield width == 64 ? v : b.signed() ? (v << (64 - width)) >> (64 - width) : v & ((1L << width) - 1);
      }
      case LayoutNode.Enum e -> {
        List<String> names = List.copyOf(e.byName().keySet());
        String name = names.get(r.nextInt(names.size()));
        yield e.byValue().get(e.byName().get(name));
      }
      case Chars c -> {
        byte[] b = new byte[c.count()];
        r.nextBytes(b);
        yield b;
      }
    };
  }

  /** Values for members; a union gets one member (the bytes it writes are what the others read). */
  private static Map<String, Object> members(List<Field> fields, Random r, Map<String, Object> out, boolean all) {
    List<Field> chosen = all ? fields : List.of(fields.get(r.nextInt(fields.size())));
    for (Field f : chosen) {
      if (f.isAnonymous()) {
        members(f.members(), r, out, f.node() instanceof Struct);
      } else if (!f.isPad()) {
        out.put(f.name(), value(f.node(), r));
      }
    }
    return out;
  }

  private static Object scalar(Scalar s, Random r) {
    return switch (s.format()) {
      case CHAR -> new byte[] {(byte) r.nextInt()};
      case INT8 -> (byte) r.nextInt();
      case UINT8 -> (short) r.nextInt(256);
      case BOOL -> r.nextBoolean();
      case INT16 -> (short) r.nextInt();
      case UINT16 -> r.nextInt(65536);
      case INT32 -> r.nextInt();
      case UINT32 -> r.nextLong() & 0xFFFF_FFFFL;
      case LONG -> s.size() == 8 ? (Object) r.nextLong() : (Object) r.nextInt();
      case ULONG -> s.size() == 8 ? r.nextLong() : r.nextLong() & 0xFFFF_FFFFL;
      case INT64, UINT64, POINTER -> r.nextLong();
      case HALF -> Half.toFloat((short) r.nextInt());
      case FLOAT -> Float.intBitsToFloat(r.nextInt());
      case DOUBLE -> Double.longBitsToDouble(r.nextLong());
      case STRING -> {
        byte[] b = new byte[s.count()];
        r.nextBytes(b);
        yield b;
      }
      case PASCAL -> {
        byte[] b = new byte[r.nextInt(Math.min(255, s.count() - 1) + 1)];
        r.nextBytes(b);
        yield b;
      }
      case PAD -> throw new IllegalStateException();
    };
  }
}
