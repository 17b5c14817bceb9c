package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.util.Map;

/** Writes a layout back in the seed's notation, as compact JSON (the canonical form). */
final class Notation {
  private Notation() {}

  static String of(LayoutNode n) {
    StringBuilder sb = new StringBuilder();
    write(n, sb);
    return sb.toString();
  }

  private static void write(LayoutNode n, StringBuilder sb) {
    switch (n) {
      case Scalar s -> sb.append('"').append(s.count() > 1 || s.format().isBytes() || s.format() == Format.PAD
          ? s.count() + "" + s.format().letter : String.valueOf(s.format().letter)).append('"');
      case ArrayOf a when uniform(a) != null -> {
        // Arrays of one letter as a counted letter: a list of two strings would read back as a
        // struct of one field, so ["2Q"] must not print as [["Q","Q"]].
        sb.append('"').append(a.elements().size()).append(uniform(a).letter).append('"');
      }
      case ArrayOf a -> {
        sb.append('[');
        for (int i = 0; i < a.elements().size(); i++) {
          sb.append(i == 0 ? "" : ",");
          write(a.elements().get(i), sb);
        }
        sb.append(']');
      }
      case Struct st when st.bare() -> {
        sb.append("{\"").append(ExplicitForms.BARE).append("\":[");
        quote(st.fields().get(0).name(), sb);
        sb.append(',');
        write(st.fields().get(0).node(), sb);
        sb.append("]}");
      }
      case Struct st when st.explicit() -> {
        sb.append("{\"").append(ExplicitForms.STRUCT).append("\":[").append(st.size());
        for (Field f : st.fields()) {
          sb.append(",[");
          quote(f.name(), sb);
          if (f.node() instanceof Bits b) {
            long bitOffset = (b.offset() - st.offset()) * 8L + b.bitOffset();
            sb.append(',').append(bitOffset).append(",{\"").append(ExplicitForms.BITS).append("\":[")
                .append(b.bits()).append(',').append(b.signed()).append("]}]");
          } else {
            sb.append(',').append((f.node().offset() - st.offset()) * 8L).append(',');
            write(f.node(), sb);
            sb.append(']');
          }
        }
        sb.append("]}");
      }
      case Union u -> {
        sb.append("{\"").append(ExplicitForms.UNION).append("\":[").append(u.size());
        for (Field f : u.members()) {
          sb.append(",[");
          quote(f.name(), sb);
          sb.append(',');
          write(f.node(), sb);
          sb.append(']');
        }
        sb.append("]}");
      }
      case LayoutNode.Enum e -> {
        sb.append("{\"").append(ExplicitForms.ENUM).append("\":[\"").append(e.format().letter).append("\",{");
        int i = 0;
        for (Map.Entry<String, Long> v : e.byName().entrySet()) {
          sb.append(i++ == 0 ? "" : ",");
          quote(v.getKey(), sb);
          sb.append(':').append(e.format() == Format.UINT64 ? Long.toUnsignedString(v.getValue())
              : String.valueOf(v.getValue()));
        }
        sb.append("}]}");
      }
      case Chars c -> sb.append("{\"").append(ExplicitForms.CHARS).append("\":[").append(c.count()).append(',')
          .append(c.signed()).append("]}");
      case Bits b -> sb.append("{\"").append(ExplicitForms.BITS).append("\":[").append(b.bits()).append(',')
          .append(b.signed()).append("]}");
      case Struct st -> {
        sb.append('[');
        for (int i = 0; i < st.fields().size(); i++) {
          Field f = st.fields().get(i);
          sb.append(i == 0 ? "[" : ",[");
          quote(f.name().startsWith("\0") ? "_pad" + i : f.name(), sb);
          sb.append(',');
          write(f.node(), sb);
          sb.append(']');
        }
        sb.append(']');
      }
    }
  }

  /** The letter every element of {@code a} is (one value each), or null when they differ. */
  private static Format uniform(ArrayOf a) {
    Format f = null;
    for (LayoutNode e : a.elements()) {
      if (!(e instanceof Scalar s) || s.count() != 1 || s.format().isBytes() || s.format() == Format.PAD
          || (f != null && s.format() != f)) {
        return null;
      }
      f = s.format();
    }
    return f;
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
