package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths of a layout, indexed once: every struct, array and value by its path
 * ({@code nested.level2_1}, {@code data[2]}; members of anonymous structs and unions named as
 * their parent's fields), the value paths in layout order, and the value paths of each union.
 */
final class LayoutPaths {
  private static final Pattern PATH = Pattern.compile("\\.?([^.\\[\\]]+)|\\[(\\d+)]");

  private final Struct root;
  private final Map<String, LayoutNode> byPath = new HashMap<>();
  private final List<String> leaves;
  private final List<List<String>> unions = new ArrayList<>();

  LayoutPaths(Struct root) {
    this.root = root;
    List<String> found = new ArrayList<>();
    index(root, "", found);
    this.leaves = List.copyOf(found);
  }

  /** The value paths in layout order. */
  List<String> leaves() {
    return leaves;
  }

  /** The value paths of each union: its members share their bytes. */
  List<List<String>> unions() {
    return unions;
  }

  /** The node at {@code path}; a path that is not one says where it goes wrong. */
  LayoutNode resolve(String path) {
    LayoutNode found = byPath.get(path);
    if (found != null) {
      return found;
    }
    // Not a path of this layout: walk it to say where it goes wrong.
    LayoutNode n = root;
    Matcher m = PATH.matcher(path);
    int at = 0;
    StringBuilder seen = new StringBuilder();
    while (at < path.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new LayoutException(path, "bad field path");
      }
      if (m.group(1) != null) {
        String name = m.group(1);
        seen.append(seen.isEmpty() ? "" : ".").append(name);
        n = byPath.get(seen.toString());
        if (n == null) {
          throw new LayoutException(seen.toString(), "no such field");
        }
      } else {
        String digits = m.group(2);
        seen.append('[').append(digits).append(']');
        if (!(n instanceof ArrayOf) || digits.length() > 9 || (n = byPath.get(seen.toString())) == null) {
          throw new LayoutException(seen.toString(), "no such element");
        }
      }
      at = m.end();
    }
    throw new LayoutException(path.isEmpty() ? "" : path, path.isEmpty() ? "empty field path" : "bad field path");
  }

  /** Fills {@link #byPath} (pads left out, anonymous members named as their parent's) and the value paths. */
  private void index(LayoutNode n, String path, List<String> leaves) {
    if (!path.isEmpty()) {
      byPath.put(path, n);
    }
    switch (n) {
      case ArrayOf a -> {
        for (int i = 0; i < a.elements().size(); i++) {
          index(a.elements().get(i), path + "[" + i + "]", leaves);
        }
      }
      case Struct st -> indexMembers(st.fields(), path, leaves);
      case Union u -> indexUnion(u, path, leaves);
      default -> leaves.add(path);
    }
  }

  private void indexUnion(Union u, String path, List<String> leaves) {
    int from = leaves.size();
    indexMembers(u.members(), path, leaves);
    unions.add(List.copyOf(leaves.subList(from, leaves.size())));
  }

  private void indexMembers(List<Field> fields, String path, List<String> leaves) {
    for (Field f : fields) {
      if (f.isAnonymous() && f.node() instanceof Union u) {
        indexUnion(u, path, leaves);
      } else if (f.isAnonymous()) {
        indexMembers(((Struct) f.node()).fields(), path, leaves);
      } else if (!f.isPad()) {
        index(f.node(), Codec.join(path, f.name()), leaves);
      }
    }
  }

  /** The names of {@code fields}, an anonymous member's fields counted as the parent's, pads left out. */
  static void names(List<Field> fields, List<String> out) {
    for (Field f : fields) {
      if (f.isAnonymous()) {
        names(f.members(), out);
      } else if (!f.isPad()) {
        out.add(f.name());
      }
    }
  }
}
