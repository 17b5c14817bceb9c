package io.bpfmap.core.record;

import java.util.List;

/**
 * A placed element of a record layout: a scalar, an array or a struct, with its absolute byte
 * offset in the record, its size and alignment, and a pre-order {@code id} (the root is 0) that
 * compiled masks index by.
 */
sealed interface LayoutNode {
  int id();

  int offset();

  int size();

  int align();

  /** One format letter; {@code count} is the byte length for s, p and x, else 1. */
  record Scalar(int id, Format format, int count, int offset, int size, int align) implements LayoutNode {}

  record ArrayOf(int id, List<LayoutNode> elements, int offset, int size, int align) implements LayoutNode {}

  record Struct(int id, List<Field> fields, int offset, int size, int align) implements LayoutNode {}

  /** A named member of a struct; pads ({@code x}) are fields that carry no value. */
  record Field(String name, LayoutNode node) {
    boolean isPad() {
      return node instanceof Scalar s && s.format() == Format.PAD;
    }
  }
}
