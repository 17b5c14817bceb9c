package io.bpfmap.core.record;

import java.util.List;
import java.util.Map;

/**
 * A placed element of a record layout: a scalar, an array or a struct, with its absolute byte
 * offset in the record, its size and alignment, and a pre-order {@code id} (the root is 0) that
 * compiled masks index by. Layouts read from BTF add what struct letters cannot say: bitfields,
 * enums with their names, unions, and C strings in {@code char} arrays.
 */
sealed interface LayoutNode {
  int id();

  int offset();

  int size();

  int align();

  /** One format letter; {@code count} is the byte length for s, p and x, else 1. */
  record Scalar(int id, Format format, int count, int offset, int size, int align) implements LayoutNode {}

  record ArrayOf(int id, List<LayoutNode> elements, int offset, int size, int align) implements LayoutNode {}

  /** A struct, its fields placed as {@link Placement} says. */
  record Struct(int id, List<Field> fields, int offset, int size, int align, Placement placement)
      implements LayoutNode {
    /** Its fields were placed at offsets given with them (BTF); bitfields may then share bytes. */
    boolean explicit() {
      return placement == Placement.EXPLICIT;
    }

    /** A record that is one value (a BTF key or value that is not a struct): JSON shows the value alone. */
    boolean bare() {
      return placement == Placement.BARE;
    }
  }

  /** How a struct's fields were placed. */
  enum Placement {
    /** One after the other, as the seed's notation places them. */
    SEQUENTIAL,
    /** At offsets given with them. */
    EXPLICIT,
    /** One field at offset 0 that is the whole record. */
    BARE
  }

  /** A union: every member starts at its offset and they share their bytes. */
  record Union(int id, List<Field> members, int offset, int size, int align) implements LayoutNode {}

  /**
   * A bitfield: {@code bits} bits from bit {@code bitOffset} (0..7) of the byte at {@code offset},
   * read as a little-endian integer over {@code size} bytes; two's complement when signed.
   */
  record Bits(int id, int offset, int bitOffset, int bits, boolean signed, int size) implements LayoutNode {
    @Override
    public int align() {
      return 1;
    }
  }

  /**
   * An integer of {@code format} (b B h H i I q Q) whose values have names. {@code byValue} and
   * {@code byName} hold the same pairs (the first name for a value); {@code names} looks them up
   * on the hot path.
   */
  record Enum(int id, Format format, int offset, int size, Map<Long, String> byValue, Map<String, Long> byName,
      EnumNames names) implements LayoutNode {
    Enum(int id, Format format, int offset, int size, Map<Long, String> byValue, Map<String, Long> byName) {
      this(id, format, offset, size, byValue, byName, new EnumNames(byValue));
    }

    @Override
    public int align() {
      return size;
    }
  }

  /** A C {@code char[count]}: text when it holds a printable, NUL-terminated string. */
  record Chars(int id, int count, boolean signed, int offset) implements LayoutNode {
    @Override
    public int size() {
      return count;
    }

    @Override
    public int align() {
      return 1;
    }
  }

  /** A named member of a struct; pads ({@code x}) are fields that carry no value; "" is anonymous. */
  record Field(String name, LayoutNode node) {
    boolean isPad() {
      return node instanceof Scalar s && s.format() == Format.PAD;
    }

    /** An anonymous struct or union: its members are named as if they were the parent's. */
    boolean isAnonymous() {
      return name.isEmpty();
    }

    /** The members of a struct or union field. */
    List<Field> members() {
      return node instanceof Struct st ? st.fields() : ((Union) node).members();
    }
  }
}
