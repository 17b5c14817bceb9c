package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
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
      case Scalar s -> { }
      case ArrayOf a -> a.elements().forEach(e -> canonicalize(e, b, r));
      case Struct st -> st.fields().forEach(f -> canonicalize(f.node(), b, r));
    }
  }

  /** The same bytes with every pad byte (explicit x and alignment holes) set to zero. */
  static byte[] zeroPads(RecordLayout layout, byte[] bytes) {
    boolean[] value = new boolean[bytes.length];
    markValues(layout.root(), value);
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      if (!value[i]) {
        out[i] = 0;
      }
    }
    return out;
  }

  private static void markValues(LayoutNode n, boolean[] value) {
    switch (n) {
      case Scalar s when s.format() == Format.PAD -> { }
      case Scalar s -> {
        for (int i = 0; i < s.size(); i++) {
          value[s.offset() + i] = true;
        }
      }
      case ArrayOf a -> a.elements().forEach(e -> markValues(e, value));
      case Struct st -> st.fields().forEach(f -> markValues(f.node(), value));
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
      case Struct st -> {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : st.fields()) {
          if (!f.isPad()) {
            out.put(f.name(), value(f.node(), r));
          }
        }
        yield out;
      }
    };
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
