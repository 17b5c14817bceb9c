package io.bpfmap.core.record;

import java.util.BitSet;
import java.util.List;

/**
 * A set of leaves (value fields) of one layout, resolved once from their paths: how a compiled
 * permission mask tells the decoder and the JSON writer which fields to leave unread.
 */
public final class LeafSet {
  private final RecordLayout layout;
  private final BitSet ids;
  private final List<String> paths;

  LeafSet(RecordLayout layout, BitSet ids, List<String> paths) {
    this.layout = layout;
    this.ids = ids;
    this.paths = List.copyOf(paths);
  }

  public boolean contains(String path) {
    return ids.get(layout.resolve(path).id());
  }

  public boolean isEmpty() {
    return ids.isEmpty();
  }

  /** The leaf paths, in layout order. */
  public List<String> paths() {
    return paths;
  }

  public RecordLayout layout() {
    return layout;
  }

  BitSet ids() {
    return ids;
  }
}
