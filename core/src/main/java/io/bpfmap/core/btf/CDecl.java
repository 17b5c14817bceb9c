package io.bpfmap.core.btf;

import io.bpfmap.core.btf.BtfType.Composite;
import io.bpfmap.core.btf.BtfType.Member;
import java.util.HashSet;
import java.util.Set;

/**
 * BTF types written back as C, the way {@code bpftool btf dump format c} writes them: a type's
 * definition after those of the named structs, unions, enums and typedefs it holds by value.
 * Anonymous structs and unions are written inline; what a pointer points to is only named.
 */
public final class CDecl {
  private static final int MAX_DEPTH = 32;

  private final Btf btf;
  private final StringBuilder out = new StringBuilder();
  private final Set<Integer> done = new HashSet<>();

  private CDecl(Btf btf) {
    this.btf = btf;
  }

  /**
   * {@return the definitions these types need, then their own (a typedef line for a named
   * scalar), each written once, as C source text}
   * @param btf the types
   * @param ids the types to write, in order
   * @throws BtfException when an id does not exist
   */
  public static String of(Btf btf, int... ids) {
    CDecl c = new CDecl(btf);
    for (int id : ids) {
      c.define(id, 0);
    }
    return c.out.toString().strip();
  }

  /**
   * {@return how C names the type: {@code struct flow}, {@code __u32}, {@code char[16]},
   * {@code void *}; an anonymous struct, union or enum written out in full}
   * @param btf the types
   * @param id the type's id
   * @throws BtfException when the id, or one it refers to, does not exist
   */
  public static String name(Btf btf, int id) {
    return new CDecl(btf).decl(id, "", 0, 0).strip();
  }

  /** Writes the definitions of the named types {@code id} holds by value, then its own. */
  private void define(int id, int depth) {
    if (depth > MAX_DEPTH || !done.add(id)) {
      return;
    }
    BtfType t = btf.type(id);
    switch (t) {
      case BtfType.Modifier m -> {
        define(m.type(), depth + 1);
        if (m.kind() == BtfKind.TYPEDEF) {
          out.append("typedef ").append(decl(m.type(), m.name(), 0, depth)).append(";\n");
        }
      }
      case BtfType.Array a -> define(a.type(), depth + 1);
      case Composite c -> {
        for (Member m : c.members()) {
          defineHeld(m.type(), depth + 1);
        }
        if (!c.name().isEmpty()) {
          paragraph().append(body(c, 0, depth)).append(";\n\n");
        }
      }
      case BtfType.Enum e when !e.name().isEmpty() -> paragraph().append(enumBody(e)).append(";\n\n");
      default -> { }
    }
  }

  /** The output, after a blank line when typedefs precede. */
  private StringBuilder paragraph() {
    if (!out.isEmpty() && !out.toString().endsWith("\n\n")) {
      out.append('\n');
    }
    return out;
  }

  /** Members' types: named ones are defined first; anonymous ones are written inline, their members' types first. */
  private void defineHeld(int id, int depth) {
    BtfType t = btf.type(id);
    if (t instanceof Composite c && c.name().isEmpty()) {
      if (depth <= MAX_DEPTH) {
        c.members().forEach(m -> defineHeld(m.type(), depth + 1));
      }
    } else {
      define(id, depth);
    }
  }

  /** A declaration of {@code name} with type {@code id}, C's declarator syntax. */
  private String decl(int id, String name, int indent, int depth) {
    if (depth > MAX_DEPTH) {
      return "... " + name;
    }
    BtfType t = btf.type(id);
    return switch (t) {
      case BtfType.Void v -> join("void", name);
      case BtfType.Int i -> join(i.name(), name);
      case BtfType.Float f -> join(f.name(), name);
      case BtfType.Ptr p -> decl(p.type(), "*" + name, indent, depth + 1);
      case BtfType.Array a -> decl(a.type(), (name.startsWith("*") ? "(" + name + ")" : name) + "[" + a.count() + "]",
          indent, depth + 1);
      case Composite c when c.name().isEmpty() -> join(body(c, indent, depth + 1), name);
      case Composite c -> join((c.union() ? "union " : "struct ") + c.name(), name);
      case BtfType.Enum e when e.name().isEmpty() -> join(enumBody(e), name);
      case BtfType.Enum e -> join("enum " + e.name(), name);
      case BtfType.Fwd f -> join((f.union() ? "union " : "struct ") + f.name(), name);
      case BtfType.Modifier m when m.kind() == BtfKind.TYPEDEF -> join(m.name(), name);
      case BtfType.Modifier m when m.kind() == BtfKind.TYPE_TAG -> decl(m.type(), name, indent, depth + 1);
      case BtfType.Modifier m -> m.kind().name().toLowerCase(java.util.Locale.ROOT) + " "
          + decl(m.type(), name, indent, depth + 1);
      case BtfType.Other o when o.kind() == BtfKind.FUNC_PROTO -> join("void", "(" + (name.isEmpty() ? "*" : name) + ")(...)");
      case BtfType.Other o -> join(o.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + o.name(), name);
    };
  }

  private String body(Composite c, int indent, int depth) {
    StringBuilder sb = new StringBuilder(c.union() ? "union" : "struct");
    if (!c.name().isEmpty()) {
      sb.append(' ').append(c.name());
    }
    sb.append(" {\n");
    for (Member m : c.members()) {
      sb.append("\t".repeat(indent + 1)).append(decl(m.type(), m.name(), indent + 1, depth + 1));
      if (m.bitfieldSize() > 0) {
        sb.append(": ").append(m.bitfieldSize());
      }
      sb.append(";\n");
    }
    return sb.append("\t".repeat(indent)).append('}').toString();
  }

  private static String enumBody(BtfType.Enum e) {
    StringBuilder sb = new StringBuilder("enum");
    if (!e.name().isEmpty()) {
      sb.append(' ').append(e.name());
    }
    sb.append(" {\n");
    for (BtfType.EnumValue v : e.values()) {
      sb.append('\t').append(v.name()).append(" = ")
          .append(e.signed() ? Long.toString(v.value()) : Long.toUnsignedString(v.value())).append(",\n");
    }
    return sb.append('}').toString();
  }

  private static String join(String type, String name) {
    return name.isEmpty() ? type : type.endsWith("*") || name.startsWith("*") && type.endsWith(" ") ? type + name
        : type + " " + name;
  }
}
