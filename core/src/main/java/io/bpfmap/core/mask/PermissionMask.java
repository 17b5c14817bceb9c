package io.bpfmap.core.mask;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bpfmap.core.internal.json.StrictJson;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.record.RecordLayout.NodeKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Field-level permissions in the shape of a value layout (the seed's FilteredBPFMap mask):
 * {@code {"data": ["X", "X", "W", "X", "X", "X", "X", "X"]}}. Leaves are {@code R} (read),
 * {@code W} (read and write) or {@code X} (hidden). A letter on a struct or array covers all of it;
 * a field the mask does not name inherits its parent's permission, and the root's is {@code X}:
 * deny by default. A struct may set the default for its unnamed fields with the key {@code "*"}.
 * Immutable; {@link #compile} checks it against a layout.
 */
public final class PermissionMask {
  private static final Pattern PATH = Pattern.compile("\\.?([^.\\[\\]]+)|\\[(\\d+)]");

  private final Object shape;

  private PermissionMask(Object shape) {
    this.shape = shape;
  }

  /**
   * {@return a mask from Java maps, lists and letters (or a single letter for the whole record)}
   * The shape is checked against a layout only by {@link #compile}.
   * @param seedShape maps of field name, lists of one entry per array element, and the letters
   *     {@code R}, {@code W}, {@code X} (either case) as strings
   * @throws MaskException when {@code seedShape} is null
   */
  public static PermissionMask of(Object seedShape) {
    if (seedShape == null) {
      throw new MaskException("", "a mask is a letter (R, W, X), a map of fields or a list");
    }
    return new PermissionMask(seedShape);
  }

  /**
   * {@return a mask from JSON text (<code>{"data": ["X","X","W"]}</code>) or a single letter
   * ({@code R})} As {@link #of}, the shape is checked only by {@link #compile}.
   * @param json the mask as JSON; surrounding blanks are ignored
   * @throws MaskException when the text is not valid JSON (duplicate keys included)
   */
  public static PermissionMask parse(String json) {
    String t = json.strip();
    if (t.length() == 1) {
      return of(t);
    }
    try {
      return of(StrictJson.read(t));
    } catch (JsonProcessingException e) {
      throw new MaskException("", "bad JSON mask: " + e.getOriginalMessage());
    }
  }

  /** {@return a mask that makes everything readable and nothing writable: {@code R}} */
  public static PermissionMask readAll() {
    return new PermissionMask("R");
  }

  /**
   * Checks the mask against {@code layout} and resolves every leaf's permission.
   * @param layout the value layout the mask is for
   * @return the permissions, resolved once
   * @throws MaskException when the mask does not fit the layout's shape (a field it lacks, a list
   *     for a struct, a list of the wrong length), has a bad letter, or gives members of one union
   *     different permissions
   */
  public CompiledMask compile(RecordLayout layout) {
    validate(shape, layout, "");
    Map<String, Permission> perms = new HashMap<>();
    for (String leaf : layout.leafPaths()) {
      perms.put(leaf, permissionOf(leaf));
    }
    for (List<String> union : layout.unions()) {
      for (String member : union) {
        if (perms.get(member) != perms.get(union.get(0))) {
          throw new MaskException(member, "shares its bytes with " + union.get(0) + " in a union, so it takes the "
              + "same permission (" + perms.get(union.get(0)) + ", not " + perms.get(member) + ")");
        }
      }
    }
    return new CompiledMask(layout, perms);
  }

  /** The permission of one leaf path: the nearest letter on the way down, else X. */
  private Permission permissionOf(String leaf) {
    Permission inherited = Permission.X;
    Object node = shape;
    Matcher m = PATH.matcher(leaf);
    int at = 0;
    while (true) {
      if (node instanceof String letter) {
        return letter(letter, "");
      }
      if (node instanceof Map<?, ?> map && map.get("*") instanceof String star) {
        inherited = letter(star, "");
      }
      if (node == null || at >= leaf.length() || !m.find(at)) {
        return inherited;
      }
      at = m.end();
      node = m.group(1) != null
          ? (node instanceof Map<?, ?> map ? map.get(m.group(1)) : null)
          : (node instanceof List<?> list ? list.get(Integer.parseInt(m.group(2))) : null);
    }
  }

  private static void validate(Object node, RecordLayout layout, String path) {
    NodeKind kind = layout.kindOf(path);
    switch (node) {
      case String letter -> letter(letter, path);
      case Map<?, ?> map -> {
        if (kind != NodeKind.STRUCT) {
          throw new MaskException(path, "gives fields, but the layout has " + describe(kind) + " here");
        }
        java.util.Set<String> names = new java.util.HashSet<>(layout.fieldNames(path));
        for (Map.Entry<?, ?> e : map.entrySet()) {
          String name = String.valueOf(e.getKey());
          String child = path.isEmpty() ? name : path + "." + name;
          if (name.equals("*")) {
            if (!(e.getValue() instanceof String s)) {
              throw new MaskException(child, "the default for unnamed fields must be a letter");
            }
            letter(s, child);
          } else if (!names.contains(name)) {
            String shown = io.bpfmap.core.BpfException.show(name);
            throw new MaskException(path.isEmpty() ? shown : path + "." + shown, "no such field in the layout");
          } else {
            validate(e.getValue(), layout, child);
          }
        }
      }
      case List<?> list -> {
        if (kind != NodeKind.ARRAY) {
          throw new MaskException(path, "gives a list, but the layout has " + describe(kind) + " here");
        }
        int n = layout.arrayLength(path);
        if (list.size() != n) {
          throw new MaskException(path, list.size() + " permissions for an array of " + n);
        }
        for (int i = 0; i < n; i++) {
          validate(list.get(i), layout, path + "[" + i + "]");
        }
      }
      case null -> throw new MaskException(path, "null is not a permission (R, W or X)");
      default -> throw new MaskException(path, "bad permission " + io.bpfmap.core.BpfException.show(node) + " (R, W or X)");
    }
  }

  private static Permission letter(String s, String path) {
    return switch (s) {
      case "R", "r" -> Permission.R;
      case "W", "w" -> Permission.W;
      case "X", "x" -> Permission.X;
      default -> throw new MaskException(path, "bad permission '" + io.bpfmap.core.BpfException.show(s) + "' (R, W or X)");
    };
  }

  private static String describe(NodeKind kind) {
    return switch (kind) {
      case STRUCT -> "a struct";
      case ARRAY -> "an array";
      case VALUE -> "a value";
    };
  }

  @Override
  public String toString() {
    return String.valueOf(shape);
  }
}
