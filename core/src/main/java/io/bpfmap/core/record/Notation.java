package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;

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
      case ArrayOf a -> {
        sb.append('[');
        for (int i = 0; i < a.elements().size(); i++) {
          sb.append(i == 0 ? "" : ",");
          write(a.elements().get(i), sb);
        }
        sb.append(']');
      }
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

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c < 0x20 ? ' ' : c);
    }
    sb.append('"');
  }
}
