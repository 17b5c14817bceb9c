package io.bpfmap.core.record;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.util.ArrayList;
import java.util.HashSet;
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
 * Read by {@link LayoutParser}, which calls back here for these forms (and is called back for
 * the formats inside them).
 */
final class ExplicitForms {
  static final String STRUCT = ".struct";
  static final String UNION = ".union";
  static final String BITS = ".bits";
  static final String ENUM = ".enum";
  static final String CHARS = ".chars";
  static final String BARE = ".bare";
  static final List<String> KINDS = List.of(STRUCT, UNION, BITS, ENUM, CHARS, BARE);

  private final LayoutParser p;

  ExplicitForms(LayoutParser p) {
    this.p = p;
  }

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

  /**
   * The explicit forms layouts read from BTF print as (see {@link ExplicitForms}): structs with
   * their fields' bit offsets, unions, enums, char arrays and, inside explicit structs, bitfields.
   */
  LayoutNode explicit(String kind, Object body, String path, int depth) {
    LayoutParser.depth(path, depth);
    return switch (kind) {
      case STRUCT -> explicitStruct(body, path, depth);
      case UNION -> union(body, path, depth);
      case ENUM -> {
        p.leaf(path);
        yield enumOf(p.newId(), body, path);
      }
      case CHARS -> {
        p.leaf(path);
        Chars c = chars(p.newId(), body, path);
        LayoutParser.fits(c.count(), path);
        yield c;
      }
      case BITS -> {
        littleEndian(path);
        p.leaf(path);
        yield bits(p.newId(), body, 0, path);
      }
      case BARE -> throw new LayoutException(path, BARE + " is a whole layout, not a member");
      default -> throw new LayoutException(path, "unknown form '" + BpfException.show(kind) + "' ("
          + String.join(", ", KINDS) + ")");
    };
  }

  /** {@code {".struct": [size, [name, bit offset, format], …]}}. */
  Struct explicitStruct(Object body, String path, int depth) {
    int id = p.newId();
    List<?> spec = sized(body, path, STRUCT);
    long size = LayoutParser.fits(whole(spec.get(0), path, "size"), path);
    Set<String> names = new HashSet<>();
    List<Field> fields = new ArrayList<>();
    int align = 1;
    for (int i = 1; i < spec.size(); i++) {
      List<?> member = member(spec.get(i), 3, path, "[name, bit offset, format]");
      String name = name(member.get(0), path, names);
      String fieldPath = name.isEmpty() ? path : path.isEmpty() ? name : path + "." + name;
      long bitOffset = whole(member.get(1), fieldPath, "bit offset");
      LayoutNode node;
      if (isBits(member.get(2))) {
        littleEndian(fieldPath);
        p.leaf(fieldPath);
        node = bits(p.newId(), ((Map<?, ?>) member.get(2)).get(BITS), bitOffset, fieldPath);
      } else {
        if (bitOffset % 8 != 0) {
          throw new LayoutException(fieldPath, "only a bitfield may start inside a byte (bit offset " + bitOffset + ")");
        }
        node = LayoutParser.shift(p.format(member.get(2), fieldPath, depth + 1), bitOffset / 8);
        if (name.isEmpty() && !(node instanceof Struct || node instanceof Union)) {
          throw new LayoutException(fieldPath, "only a struct or a union may be anonymous");
        }
      }
      if (node.offset() + (long) node.size() > size) {
        throw new LayoutException(fieldPath, "ends past the struct's " + size + " bytes");
      }
      fields.add(claim(new Field(name, node), names, path));
      align = Math.max(align, node.align());
    }
    return new Struct(id, List.copyOf(fields), 0, (int) size, align, LayoutNode.Placement.EXPLICIT);
  }

  /** {@code {".bare": [name, format]}}: a record that is one value, named for paths and masks. */
  Struct bare(Object body) {
    int id = p.newId();
    List<?> member = member(body, 2, "", "[name, format]");
    String name = name(member.get(0), "", new HashSet<>());
    if (name.isEmpty()) {
      throw new LayoutException("", BARE + " names its value");
    }
    LayoutNode node = p.format(member.get(1), name, 1);
    if (node instanceof Struct || node instanceof Union) {
      throw new LayoutException(name, "a struct or union is a record by itself, not " + BARE);
    }
    if (node instanceof Scalar s && s.format() == Format.PAD) {
      throw new LayoutException(name, "pad bytes are not a value");
    }
    return new Struct(id, List.of(new Field(name, node)), 0, node.size(), node.align(), LayoutNode.Placement.BARE);
  }

  /** {@code {".union": [size, [name, format], …]}}. */
  private Union union(Object body, String path, int depth) {
    int id = p.newId();
    List<?> spec = sized(body, path, UNION);
    long size = LayoutParser.fits(whole(spec.get(0), path, "size"), path);
    Set<String> names = new HashSet<>();
    List<Field> members = new ArrayList<>();
    int align = 1;
    for (int i = 1; i < spec.size(); i++) {
      List<?> member = member(spec.get(i), 2, path, "[name, format]");
      String name = name(member.get(0), path, names);
      String memberPath = name.isEmpty() ? path : path.isEmpty() ? name : path + "." + name;
      LayoutNode node = p.format(member.get(1), memberPath, depth + 1);
      if (node.size() > size) {
        throw new LayoutException(memberPath, "is larger than the union's " + size + " bytes");
      }
      members.add(claim(new Field(name, node), names, path));
      align = Math.max(align, node.align());
    }
    return new Union(id, List.copyOf(members), 0, (int) size, align);
  }

  private void littleEndian(String path) {
    if (p.mode().order() != java.nio.ByteOrder.LITTLE_ENDIAN) {
      throw new LayoutException(path, "bitfields are laid out little-endian (BTF's order on this machine), "
          + "not in '" + p.mode().prefix() + "' order");
    }
  }

  /** An anonymous member's fields are named as the parent's: they take names no other field has. */
  private static Field claim(Field f, Set<String> names, String path) {
    if (f.isAnonymous()) {
      for (Field inner : f.members()) {
        if (inner.isAnonymous()) {
          claim(inner, names, path);
        } else if (!inner.isPad() && !names.add(inner.name())) {
          throw new LayoutException(path.isEmpty() ? inner.name() : path + "." + inner.name(),
              "duplicate field name '" + inner.name() + "' (from an anonymous member)");
        }
      }
    }
    return f;
  }

}
