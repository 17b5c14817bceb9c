package io.bpfmap.core.mask;

import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.LeafSet;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link PermissionMask} resolved against one layout: every leaf's permission, decided once.
 * The decoder, the JSON writer and accessors made here skip hidden fields without reading their
 * bytes. Made by {@link PermissionMask#compile}. Immutable and thread-safe (the JSON writers it
 * makes are not).
 */
public final class CompiledMask {
  private final RecordLayout layout;
  private final Map<String, Permission> perms;
  private final LeafSet hidden;
  private final LeafSet writable;

  CompiledMask(RecordLayout layout, Map<String, Permission> perms) {
    this.layout = layout;
    this.perms = Map.copyOf(perms);
    this.hidden = layout.leafSet(perms.entrySet().stream().filter(e -> e.getValue() == Permission.X)
        .map(Map.Entry::getKey).toList());
    this.writable = layout.leafSet(perms.entrySet().stream().filter(e -> e.getValue() == Permission.W)
        .map(Map.Entry::getKey).toList());
  }

  /** {@return the layout the mask was compiled against} */
  public RecordLayout layout() {
    return layout;
  }

  /**
   * {@return the permission of one value field}
   * @param leafPath the path of a value field of the layout ({@code data[2]})
   * @throws MaskException when the path is not a value field (a struct or array path is not)
   */
  public Permission permission(String leafPath) {
    Permission p = perms.get(leafPath);
    if (p == null) {
      List<String> leaves = layout.leafPaths();
      throw new MaskException(leafPath, "no such field in the layout (its fields: " + String.join(", ",
          leaves.subList(0, Math.min(12, leaves.size()))) + (leaves.size() > 12 ? ", …" : "") + ")");
    }
    return p;
  }

  /** {@return the hidden ({@code X}) leaves} */
  public LeafSet hidden() {
    return hidden;
  }

  /** {@return the leaves that may be written ({@code W})} */
  public LeafSet writable() {
    return writable;
  }

  /** {@return true when at least one leaf is {@code W}} */
  public boolean anyWritable() {
    return !writable.isEmpty();
  }

  /**
   * {@return the record at {@code base} of {@code m} decoded, hidden fields as null (never read)}
   * @param m memory holding the record; only read
   * @param base the record's byte offset in {@code m}
   * @throws io.bpfmap.core.record.LayoutException when fewer than the layout's size bytes follow
   *     {@code base}
   */
  public Map<String, Object> unpack(MemorySegment m, long base) {
    return layout.unpack(m, base, hidden);
  }

  /**
   * {@return the record decoded, hidden fields as null (never read)}
   * @param record the record, exactly the layout's size
   * @throws io.bpfmap.core.record.LayoutException when {@code record} has another length
   */
  public Map<String, Object> unpack(byte[] record) {
    if (record.length != layout.size()) {
      throw new io.bpfmap.core.record.LayoutException("", "buffer is " + record.length
          + " bytes, the layout is " + layout.size() + " bytes");
    }
    return layout.unpack(MemorySegment.ofArray(record), 0, hidden);
  }

  /** {@return a new JSON writer that writes hidden fields as null without reading them} */
  public RecordJsonWriter jsonWriter() {
    return layout.jsonWriter(hidden);
  }

  /**
   * {@return an accessor for a readable numeric field}
   * @param path the path of a value field
   * @throws MaskException when the path is not a value field, or the field is hidden
   * @throws io.bpfmap.core.record.LayoutException when the field is not a number
   */
  public FieldAccessor accessor(String path) {
    if (permission(path) == Permission.X) {
      throw new MaskException(path, "the field is hidden");
    }
    return layout.accessor(path);
  }

  /**
   * Writes the leaves {@code changes} sets into the record at {@code base} of {@code m}: a partial
   * value in the layout's shape (structs as maps of some fields; arrays as lists of their full
   * length, null for "leave as is", or maps of index to value). Every set leaf must be {@code W};
   * nothing is written unless all are.
   * @param changes the fields to set; null anywhere leaves that part as it is
   * @param m writable memory holding the current record, changed in place
   * @param base the record's byte offset in {@code m}
   * @throws MaskException when {@code changes} does not fit the layout's shape, or sets a leaf
   *     that is not {@code W}, naming it; nothing is written then
   * @throws io.bpfmap.core.record.LayoutException when a value does not fit its field; the leaves
   *     before it in {@code changes} may already be written
   */
  public void applyWrite(Map<String, ?> changes, MemorySegment m, long base) {
    List<Map.Entry<String, Object>> leaves = new ArrayList<>();
    flatten(changes, "", leaves);
    for (Map.Entry<String, Object> leaf : leaves) {
      Permission p = perms.get(leaf.getKey());
      if (p != Permission.W) {
        throw new MaskException(leaf.getKey(), "is not writable (the mask gives " + p + ")");
      }
    }
    for (Map.Entry<String, Object> leaf : leaves) {
      layout.packLeaf(leaf.getKey(), leaf.getValue(), m, base);
    }
  }

  /** The leaves {@code v} sets, as path → value, checked against the layout's shape. */
  private void flatten(Object v, String path, List<Map.Entry<String, Object>> out) {
    if (v == null) {
      return;
    }
    switch (layout.kindOf(path)) {
      case STRUCT -> {
        if (!(v instanceof Map<?, ?> map)) {
          throw new MaskException(path, "expected a struct (map of fields), got "
              + io.bpfmap.core.BpfException.show(v));
        }
        java.util.Set<String> names = new java.util.HashSet<>(layout.fieldNames(path));
        for (Map.Entry<?, ?> e : map.entrySet()) {
          String name = String.valueOf(e.getKey());
          if (!names.contains(name)) {
            String shown = io.bpfmap.core.BpfException.show(name);
            throw new MaskException(path.isEmpty() ? shown : path + "." + shown, "no such field in the layout");
          }
          flatten(e.getValue(), path.isEmpty() ? name : path + "." + name, out);
        }
      }
      case ARRAY -> {
        int n = layout.arrayLength(path);
        Map<Integer, Object> elements = new LinkedHashMap<>();
        if (v instanceof List<?> list) {
          if (list.size() != n) {
            throw new MaskException(path, "expected " + n + " elements (null leaves one as it is), got " + list.size());
          }
          for (int i = 0; i < n; i++) {
            elements.put(i, list.get(i));
          }
        } else if (v instanceof Map<?, ?> map) {
          for (Map.Entry<?, ?> e : map.entrySet()) {
            int i = index(e.getKey(), n, path);
            elements.put(i, e.getValue());
          }
        } else {
          throw new MaskException(path, "expected an array (list, or map of index to value), got "
              + io.bpfmap.core.BpfException.show(v));
        }
        elements.forEach((i, e) -> flatten(e, path + "[" + i + "]", out));
      }
      case VALUE -> out.add(Map.entry(path, v));
    }
  }

  private static int index(Object key, int n, String path) {
    try {
      int i = Integer.parseInt(String.valueOf(key));
      if (i >= 0 && i < n) {
        return i;
      }
    } catch (NumberFormatException notANumber) {
      // falls through
    }
    throw new MaskException(path + "[" + io.bpfmap.core.BpfException.show(key) + "]", "no such element (0.." + (n - 1) + ")");
  }
}
