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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a layout to decode a record into maps, lists and values, and to encode them back, with a
 * {@link Codec} for the values themselves. Members of anonymous structs and unions are named as
 * their parent's fields (C's rule), so a map has each field once.
 */
final class Values {
  private final Codec codec;

  Values(Codec codec) {
    this.codec = codec;
  }

  /** Decodes a struct; leaves whose id is in {@code hidden} become null and are not read. */
  Map<String, Object> unpackStruct(Struct s, MemorySegment m, long base, BitSet hidden) {
    Map<String, Object> out = new LinkedHashMap<>();
    members(s.fields(), m, base, hidden, out);
    return out;
  }

  /** Decodes members into {@code out}; an anonymous struct or union puts its fields there too. */
  private void members(List<Field> fields, MemorySegment m, long base, BitSet hidden, Map<String, Object> out) {
    for (Field f : fields) {
      if (f.isAnonymous()) {
        members(f.members(), m, base, hidden, out);
      } else if (!f.isPad()) {
        out.put(f.name(), unpack(f.node(), m, base, hidden));
      }
    }
  }

  /** The value of {@code n}: values first, by instanceof (a type switch costs more on this path). */
  private Object unpack(LayoutNode n, MemorySegment m, long base, BitSet hidden) {
    if (n instanceof Scalar s) {
      return hidden.get(s.id()) ? null : codec.read(s, m, base + s.offset());
    }
    if (n instanceof LayoutNode.Enum e) {
      if (hidden.get(e.id())) {
        return null;
      }
      long v = codec.enumValue(e, m, base + e.offset());
      String name = e.names().name(v);
      return name != null ? name : (Object) v;
    }
    if (n instanceof Chars c) {
      return hidden.get(c.id()) ? null : m.asSlice(base + c.offset(), c.count()).toArray(ValueLayout.JAVA_BYTE);
    }
    if (n instanceof Bits b) {
      return hidden.get(b.id()) ? null : codec.bitsValue(b, m, base);
    }
    return switch (n) {
      case ArrayOf a -> {
        List<Object> out = new ArrayList<>(a.elements().size());
        for (LayoutNode e : a.elements()) {
          out.add(unpack(e, m, base, hidden));
        }
        yield out;
      }
      case Struct st -> unpackStruct(st, m, base, hidden);
      case Union u -> {
        Map<String, Object> out = new LinkedHashMap<>();
        members(u.members(), m, base, hidden, out);
        yield out;
      }
      default -> throw new IllegalStateException("not a node: " + n);
    };
  }

  void packStruct(Struct s, Object value, MemorySegment m, long base, String path) {
    Map<?, ?> map = fields(value, path);
    java.util.Set<String> names = new java.util.HashSet<>();
    names(s.fields(), names);
    for (Object k : map.keySet()) {
      if (!(k instanceof String name) || !names.contains(name)) {
        throw new LayoutException(Codec.join(path, BpfException.show(k)), "no such field in the layout");
      }
    }
    packMembers(s.fields(), map, m, base, path, true);
  }

  private static Map<?, ?> fields(Object value, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new LayoutException(path, "expected a struct (map of fields), got " + Codec.typeOf(value));
    }
    return map;
  }

  /** The names of {@code fields}, an anonymous member's fields counted as the parent's. */
  private static void names(List<Field> fields, java.util.Set<String> out) {
    for (Field f : fields) {
      if (f.isAnonymous()) {
        names(f.members(), out);
      } else if (!f.isPad()) {
        out.add(f.name());
      }
    }
  }

  /**
   * Writes the members {@code map} gives: every one when {@code all} (a struct), those present
   * otherwise (inside a union). Anonymous members take their fields from the same map.
   */
  private void packMembers(List<Field> fields, Map<?, ?> map, MemorySegment m, long base, String path, boolean all) {
    for (Field f : fields) {
      if (f.isPad()) {
        continue;
      }
      if (f.isAnonymous()) {
        if (f.node() instanceof Struct st) {
          packMembers(st.fields(), map, m, base, path, all);
        } else {
          packUnion((Union) f.node(), map, m, base, path);
        }
        continue;
      }
      String fp = Codec.join(path, f.name());
      if (!map.containsKey(f.name())) {
        if (all) {
          throw new LayoutException(fp, "missing field");
        }
        continue;
      }
      pack(f.node(), map.get(f.name()), m, base, fp);
    }
  }

  /**
   * Writes the members of a union that {@code map} gives, in order. Members given together must
   * agree on the bytes they share (as a dump of the union shows them): each but the last is
   * written again over the result, which must not change it.
   */
  private void packUnion(Union u, Map<?, ?> map, MemorySegment m, long base, String path) {
    List<Field> given = new ArrayList<>();
    for (Field f : u.members()) {
      if (!f.isPad() && (f.isAnonymous() ? !java.util.Collections.disjoint(names(f), map.keySet())
          : map.containsKey(f.name()))) {
        given.add(f);
      }
    }
    packMembers(given, map, m, base, path, false);
    if (given.size() < 2) {
      return;
    }
    MemorySegment bytes = m.asSlice(base + u.offset(), u.size());
    MemorySegment scratch = MemorySegment.ofArray(new byte[u.offset() + u.size()]);
    for (int i = 0; i < given.size() - 1; i++) {
      MemorySegment.copy(bytes, 0, scratch, u.offset(), u.size());
      packMembers(List.of(given.get(i)), map, scratch, 0, path, false);
      if (scratch.asSlice(u.offset(), u.size()).mismatch(bytes) >= 0) {
        throw new LayoutException(Codec.join(path, label(given.get(i))), "differs from "
            + String.join(" and ", given.subList(i + 1, given.size()).stream().map(Values::label).toList())
            + " where they share the union's bytes: give one member, or values that agree");
      }
    }
  }

  private static java.util.Set<String> names(Field f) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    names(List.of(f), out);
    return out;
  }

  /** A member's name, or its fields' for an anonymous one. */
  private static String label(Field f) {
    return f.isAnonymous() ? String.join("/", names(f)) : f.name();
  }

  void pack(LayoutNode n, Object value, MemorySegment m, long base, String path) {
    switch (n) {
      case Scalar s -> codec.write(s, value, m, base + s.offset(), path);
      case Union u -> {
        Map<?, ?> map = fields(value, path);
        java.util.Set<String> names = new java.util.HashSet<>();
        names(u.members(), names);
        for (Object k : map.keySet()) {
          if (!(k instanceof String name) || !names.contains(name)) {
            throw new LayoutException(Codec.join(path, BpfException.show(k)), "no such member of the union");
          }
        }
        packUnion(u, map, m, base, path);
      }
      case Bits b -> codec.writeBits(b, value, m, base, path);
      case LayoutNode.Enum e -> codec.writeEnum(e, value, m, base + e.offset(), path);
      case Chars c -> {
        byte[] b = value instanceof List<?> l ? charList(c, l, path) : Codec.bytes(value, 0, c.count(), path,
            "char[" + c.count() + "]");
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, base + c.offset(), b.length);
        m.asSlice(base + c.offset() + b.length, c.count() - b.length).fill((byte) 0);
      }
      case ArrayOf a -> {
        List<?> list = Codec.asList(value, path);
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

  /** A char array given as its chars' numbers (as JSON shows one that is not text). */
  private static byte[] charList(Chars c, List<?> l, String path) {
    if (l.size() > c.count()) {
      throw new LayoutException(path, l.size() + " chars do not fit " + c.count());
    }
    byte[] b = new byte[l.size()];
    for (int i = 0; i < b.length; i++) {
      Object v = l.get(i);
      long n = v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
          ? ((Number) v).longValue() : Long.MIN_VALUE;
      if (n < (c.signed() ? -128 : 0) || n > (c.signed() ? 127 : 255)) {
        throw new LayoutException(path + "[" + i + "]", "expected a " + (c.signed() ? "signed" : "unsigned")
            + " char's number, got " + BpfException.show(v));
      }
      b[i] = (byte) n;
    }
    return b;
  }

}
