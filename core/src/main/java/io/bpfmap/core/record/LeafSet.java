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

  /**
   * {@return true when the leaf at {@code path} is in the set; false for a struct or array path}
   * @param path a path of the set's layout
   * @throws LayoutException when the path names nothing in the layout
   */
  public boolean contains(String path) {
    return ids.get(layout.resolve(path).id());
  }

  /** {@return true when the set holds no leaf} */
  public boolean isEmpty() {
    return ids.isEmpty();
  }

  /** {@return the leaf paths, in layout order (immutable)} */
  public List<String> paths() {
    return paths;
  }

  /** {@return the layout whose leaves these are} */
  public RecordLayout layout() {
    return layout;
  }

  BitSet ids() {
    return ids;
  }
}
