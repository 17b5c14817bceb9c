package io.bpfmap.core.record;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The notation's forms for what struct letters cannot say, which layouts read from BTF print as
 * and read back from. Each is a JSON object with one key that starts with a dot (no field name
 * can), so it never reads as a struct:
 * <ul>
 *   <li>{@code {".struct": [size, [name, bit offset, format], …]}}: fields at given offsets (a
 *       name "" is an anonymous struct or union, whose fields are named as the parent's);</li>
 *   <li>{@code {".bits": [bits, signed]}}: a bitfield, as a format inside {@code .struct};</li>
 *   <li>{@code {".union": [size, [name, format], …]}}: members sharing their bytes;</li>
 *   <li>{@code {".enum": [letter, {name: value, …}]}}: an integer (b B h H i I q Q) with names;</li>
 *   <li>{@code {".chars": [count, signed]}}: a C {@code char[count]}, text when it holds a string;</li>
 *   <li>{@code {".bare": [name, format]}}, as a whole layout: a record that is one value (a BTF key
 *       {@code __u32}), shown in JSON as the value alone and named {@code name} in paths.</li>
 * </ul>
 */
final class ExplicitForms {
  static final String STRUCT = ".struct";
  static final String UNION = ".union";
  static final String BITS = ".bits";
  static final String ENUM = ".enum";
  static final String CHARS = ".chars";
  static final String BARE = ".bare";
  static final List<String> KINDS = List.of(STRUCT, UNION, BITS, ENUM, CHARS, BARE);

  private ExplicitForms() {}

  static boolean isExplicit(Object spec) {
    return spec instanceof Map<?, ?> m && m.size() == 1 && m.keySet().iterator().next() instanceof String k
        && k.startsWith(".");
  }

  static boolean isBits(Object spec) {
    return isExplicit(spec) && BITS.equals(((Map<?, ?>) spec).keySet().iterator().next());
  }

  /** The list of a .struct or .union: its size first, then members. */
  static List<?> sized(Object body, String path, String kind) {
    if (!(body instanceof List<?> l) || l.isEmpty()) {
      throw new LayoutException(path, kind + " takes [size, member, …]");
    }
    return l;
  }

  static List<?> member(Object spec, int n, String path, String shape) {
    if (!(spec instanceof List<?> l) || l.size() != n) {
      throw new LayoutException(path, "a member is " + shape + ", not " + BpfException.show(spec));
    }
    return l;
  }

  /** A member name: "" (anonymous) may repeat, others are unique and are field names. */
  static String name(Object name, String path, Set<String> seen) {
    if (!(name instanceof String s)) {
      throw new LayoutException(path, "a member name is a string, not " + BpfException.show(name));
    }
    if (s.indexOf('.') >= 0 || s.indexOf('[') >= 0 || s.indexOf(']') >= 0
        || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new LayoutException(path.isEmpty() ? s : path + "." + s, "bad field name '" + s
          + "' (no '.', '[', ']', control characters)");
    }
    if (!s.isEmpty() && !seen.add(s)) {
      throw new LayoutException(path.isEmpty() ? s : path + "." + s, "duplicate field name '" + s + "'");
    }
    return s;
  }

  static long whole(Object n, String path, String what) {
    if (!(n instanceof Integer || n instanceof Long) || ((Number) n).longValue() < 0) {
      throw new LayoutException(path, "the " + what + " is a whole number, not " + BpfException.show(n));
    }
    return ((Number) n).longValue();
  }

  /** A bitfield at {@code bitOffset} bits into its struct (offsets relative to the struct). */
  static Bits bits(int id, Object body, long bitOffset, String path) {
    if (!(body instanceof List<?> l) || l.size() != 2 || !(l.get(1) instanceof Boolean signed)) {
      throw new LayoutException(path, BITS + " takes [bits, signed]");
    }
    long bits = whole(l.get(0), path, "bit count");
    if (bits < 1 || bits > 128) {
      throw new LayoutException(path, "a bitfield has 1 to 128 bits, not " + bits);
    }
    int within = (int) (bitOffset % 8);
    int size = (int) ((within + bits + 7) / 8);
    return new Bits(id, (int) (bitOffset / 8), within, (int) bits, signed, size);
  }

  static LayoutNode.Enum enumOf(int id, Object body, String path) {
    if (!(body instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof String letter) || letter.length() != 1
        || !(l.get(1) instanceof Map<?, ?> names)) {
      throw new LayoutException(path, ENUM + " takes [letter, {name: value, …}]");
    }
    Format f = Format.of(letter.charAt(0));
    if (f == null || !"bBhHiIqQ".contains(letter)) {
      throw new LayoutException(path, "an enum is one of b B h H i I q Q, not '" + BpfException.show(letter) + "'");
    }
    Map<Long, String> byValue = new LinkedHashMap<>();
    Map<String, Long> byName = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : names.entrySet()) {
      if (!(e.getValue() instanceof Number v) || !(e.getValue() instanceof Integer || e.getValue() instanceof Long
          || e.getValue() instanceof java.math.BigInteger)) {
        throw new LayoutException(path, "enum value of " + BpfException.show(e.getKey()) + " is not an integer");
      }
      String name = String.valueOf(e.getKey());
      java.math.BigInteger exact = v instanceof java.math.BigInteger big ? big : java.math.BigInteger.valueOf(v.longValue());
      int bits = 8 * f.size(ByteOrderMode.NATIVE);
      boolean signed = f == Format.INT8 || f == Format.INT16 || f == Format.INT32 || f == Format.INT64;
      if (exact.signum() < 0 ? !signed || exact.bitLength() >= bits : exact.bitLength() > (signed ? bits - 1 : bits)) {
        throw new LayoutException(path, "enum value " + exact + " of " + BpfException.show(name)
            + " is out of range for '" + letter + "'");
      }
      long value = Codec.narrow(f, v.longValue());
      byName.put(name, value);
      byValue.putIfAbsent(value, name);
    }
    int size = f.size(ByteOrderMode.NATIVE);
    return new LayoutNode.Enum(id, f, 0, size, Map.copyOf(byValue), java.util.Collections.unmodifiableMap(byName));
  }

  static Chars chars(int id, Object body, String path) {
    if (!(body instanceof List<?> l) || l.size() != 2 || !(l.get(1) instanceof Boolean signed)) {
      throw new LayoutException(path, CHARS + " takes [count, signed]");
    }
    long count = whole(l.get(0), path, "count");
    if (count < 1 || count > RecordLayout.MAX_SIZE) {
      throw new LayoutException(path, "a char array has 1 to " + RecordLayout.MAX_SIZE + " chars, not " + count);
    }
    return new Chars(id, (int) count, signed, 0);
  }
}
