package io.bpfmap.core.btf;

import io.bpfmap.core.btf.BtfType.Composite;
import io.bpfmap.core.btf.BtfType.Member;
import io.bpfmap.core.record.ByteOrderMode;
import io.bpfmap.core.record.LayoutException;
import io.bpfmap.core.record.RecordLayout;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a BTF type into a {@link RecordLayout} in the notation's explicit forms: structs with
 * their members' bit offsets (padding falls where the compiler put it), bitfields, unions and
 * anonymous members, enums with their names, {@code char[]} as strings the way bpftool tells them
 * apart, floats, pointers as unsigned 64-bit numbers; typedefs and qualifiers are looked through.
 * A key or value that is not a struct is a bare record, named {@code key} or {@code value}.
 */
public final class BtfLayouts {
  private final Btf btf;
  /** Structs and unions being converted: one met again contains itself. */
  private final Set<Integer> open = new HashSet<>();

  private BtfLayouts(Btf btf) {
    this.btf = btf;
  }

  /**
   * {@return the layout of type {@code id} in the notation's explicit forms, in {@code =} mode}
   * @param btf the types
   * @param id the type of a map's key or value (typedefs and qualifiers are looked through)
   * @param role the name of the one field of a record that is not a struct, such as {@code key}
   * @throws BtfException naming the type, when it or a part of it has no layout (such as void, a
   *     function, a forward declaration, a struct that contains itself or nests more than
   *     {@link RecordLayout#MAX_DEPTH} deep) or an id does not exist
   */
  public static RecordLayout layout(Btf btf, int id, String role) {
    Object spec = new BtfLayouts(btf).root(id, role);
    try {
      @SuppressWarnings("unchecked")
      Map<String, ?> fields = (Map<String, ?>) spec;
      return RecordLayout.of(fields, ByteOrderMode.NATIVE);
    } catch (LayoutException e) {
      throw new BtfException("type " + btf.describe(id) + ": " + e.getMessage());
    }
  }

  /**
   * {@return the layout of a named type, or empty when {@code btf} has none of that name}
   * @param btf the types
   * @param cType {@code struct NAME}, {@code union NAME} or a typedef's name
   * @throws BtfException when the type cannot be a layout
   */
  public static Optional<RecordLayout> named(Btf btf, String cType) {
    String t = cType.strip();
    Optional<BtfType> found = t.startsWith("struct ") ? btf.find(BtfKind.STRUCT, t.substring(7).strip())
        : t.startsWith("union ") ? btf.find(BtfKind.UNION, t.substring(6).strip())
        : btf.find(BtfKind.TYPEDEF, t);
    return found.map(type -> layout(btf, type.id(), t));
  }

  private Object root(int id, String role) {
    BtfType t = btf.resolve(id);
    if (t instanceof Composite c && !c.union()) {
      return struct(c);
    }
    if (t instanceof Composite c) {
      return Map.of(".struct", List.of(c.size(), List.of("", 0, union(c))));
    }
    return Map.of(".bare", List.of(role, spec(id)));
  }

  private Object spec(int id) {
    BtfType t = btf.resolve(id);
    return switch (t) {
      case BtfType.Int i when i.bitOffset() != 0 || i.bits() != 8 * i.size() ->
          throw new BtfException("type " + btf.describe(id) + ": a " + i.bits() + "-bit int is a bitfield, "
              + "only a struct member can be one");
      case BtfType.Int i when i.size() == 16 -> Map.of(".bits", List.of(128, i.signed()));
      case BtfType.Int i when i.isBool() && i.size() == 1 -> "?";
      case BtfType.Int i -> String.valueOf(letter(i.size(), i.signed()));
      case BtfType.Float f when f.size() == 2 || f.size() == 4 || f.size() == 8 -> f.size() == 2 ? "e" : f.size() == 4 ? "f" : "d";
      case BtfType.Ptr p -> "Q";
      case BtfType.Array a -> array(a);
      case Composite c when c.union() -> union(c);
      case Composite c -> struct(c);
      case BtfType.Enum e -> enumOf(e);
      default -> throw new BtfException("type " + btf.describe(t.id()) + " has no layout"
          + (t instanceof BtfType.Fwd ? ": it is only declared here" : t instanceof BtfType.Void ? "" : ": it is not data"));
    };
  }

  private Object array(BtfType.Array a) {
    if (a.count() == 0 || size(a.id(), 0) == 0) {
      throw new BtfException("type " + btf.describe(a.id()) + ": an array of no bytes is only allowed at a struct's end");
    }
    BtfType elem = qualified(a.type());
    if (elem instanceof BtfType.Int i && i.size() == 1 && (i.isChar() || i.name().equals("char"))) {
      return Map.of(".chars", List.of(a.count(), i.signed()));
    }
    return Collections.nCopies(a.count(), spec(a.type()));
  }

  /** The type under const, volatile, restrict and type tags, not typedefs (bpftool's rule for strings). */
  private BtfType qualified(int id) {
    BtfType t = btf.type(id);
    for (int steps = 0; t instanceof BtfType.Modifier m && m.kind() != BtfKind.TYPEDEF; steps++) {
      if (steps > btf.count()) {
        throw new BtfException("type " + id + ": a loop of type references");
      }
      t = btf.type(m.type());
    }
    return t;
  }

  private Map<String, Object> struct(Composite c) {
    return Map.of(".struct", members(c, true));
  }

  private Map<String, Object> union(Composite c) {
    return Map.of(".union", members(c, false));
  }

  /** The size, then each member that has bytes: [name, bit offset, format] in a struct, [name, format] in a union. */
  private List<Object> members(Composite c, boolean offsets) {
    enter(c);
    List<Object> body = new ArrayList<>();
    body.add(c.size());
    for (Member m : c.members()) {
      BtfType t = btf.resolve(m.type());
      Object format;
      long offset = m.bitOffset();
      if (m.bitfieldSize() > 0) {
        format = Map.of(".bits", List.of(m.bitfieldSize(), signed(t)));
      } else if (offsets && t instanceof BtfType.Int i && (i.bitOffset() != 0 || i.bits() != 8 * i.size())) {
        format = Map.of(".bits", List.of(i.bits(), i.signed()));
        offset += i.bitOffset();
      } else if (size(m.type(), 0) > 0) {
        format = spec(m.type());
      } else {
        continue;
      }
      body.add(offsets ? List.of(m.name(), offset, format) : List.of(m.name(), format));
    }
    open.remove(c.id());
    return body;
  }

  private void enter(Composite c) {
    if (!open.add(c.id())) {
      throw new BtfException("type " + btf.describe(c.id()) + " contains itself");
    }
    if (open.size() > RecordLayout.MAX_DEPTH) {
      throw new BtfException("type " + btf.describe(c.id()) + " is nested more than " + RecordLayout.MAX_DEPTH + " deep");
    }
  }

  private Map<String, Object> enumOf(BtfType.Enum e) {
    if (e.size() != 1 && e.size() != 2 && e.size() != 4 && e.size() != 8) {
      throw new BtfException("type " + btf.describe(e.id()) + ": an enum of " + Integer.toUnsignedString(e.size())
          + " bytes");
    }
    Map<String, Object> names = new LinkedHashMap<>();
    for (BtfType.EnumValue v : e.values()) {
      long value = e.signed() || e.size() < 8 ? narrow(v.value(), e.size(), e.signed()) : v.value();
      names.putIfAbsent(v.name(), !e.signed() && value < 0 ? new BigInteger(Long.toUnsignedString(value)) : value);
    }
    return Map.of(".enum", List.of(String.valueOf(letter(e.size(), e.signed())), names));
  }

  /** A value as an integer of {@code size} bytes holds it. */
  private static long narrow(long v, int size, boolean signed) {
    int shift = 64 - 8 * size;
    return signed ? (v << shift) >> shift : size == 8 ? v : v & ((1L << (8 * size)) - 1);
  }

  private static char letter(int size, boolean signed) {
    char c = switch (size) {
      case 1 -> 'b';
      case 2 -> 'h';
      case 4 -> 'i';
      default -> 'q';
    };
    return signed ? c : Character.toUpperCase(c);
  }

  private static boolean signed(BtfType t) {
    return t instanceof BtfType.Int i ? i.signed() : t instanceof BtfType.Enum e && e.signed();
  }

  /** The bytes of type {@code id} (0 for what has none, such as a flexible array). */
  private long size(int id, int depth) {
    if (depth > RecordLayout.MAX_DEPTH) {
      throw new BtfException("type " + btf.describe(id) + " is nested more than " + RecordLayout.MAX_DEPTH + " deep");
    }
    return switch (btf.resolve(id)) {
      case BtfType.Int i -> i.size();
      case BtfType.Float f -> f.size();
      case BtfType.Ptr p -> 8;
      case BtfType.Array a -> a.count() * size(a.type(), depth + 1);
      case Composite c -> c.size() & 0xFFFF_FFFFL;
      case BtfType.Enum e -> e.size() & 0xFFFF_FFFFL;
      default -> 0;
    };
  }
}
