package io.bpfmap.core.btf;

import java.util.List;

/**
 * One BTF type, as the kernel's format describes it. Every type has its id (void is 0) and a
 * name, empty when anonymous. References to other types are ids, resolved through {@link Btf}.
 */
public sealed interface BtfType {
  /** {@return the type's id in its {@link Btf}; 0 is void} */
  int id();

  /** {@return the type's name; empty when anonymous} */
  String name();

  /** {@return the kind of type, as BTF encodes it} */
  BtfKind kind();

  /** {@code void}: type id 0. */
  record Void() implements BtfType {
    @Override
    public int id() {
      return 0;
    }

    public String name() {
      return "void";
    }

    public BtfKind kind() {
      return BtfKind.VOID;
    }
  }

  /**
   * An integer of {@code size} bytes: {@code bits} bits from bit {@code bitOffset} (all of them
   * but for legacy bitfields), signed, a {@code char} or a {@code bool} as its encoding says.
   *
   * @param id the type's id
   * @param name its name ({@code unsigned int})
   * @param size its size in bytes
   * @param signed whether its encoding says signed
   * @param isChar whether its encoding says char
   * @param isBool whether its encoding says bool
   * @param bitOffset the bit its value starts at (0 but for legacy bitfields)
   * @param bits how many bits its value has
   */
  record Int(int id, String name, int size, boolean signed, boolean isChar, boolean isBool, int bitOffset, int bits)
      implements BtfType {
    public BtfKind kind() {
      return BtfKind.INT;
    }
  }

  /**
   * A float of {@code size} bytes.
   *
   * @param id the type's id
   * @param name its name ({@code double})
   * @param size its size in bytes
   */
  record Float(int id, String name, int size) implements BtfType {
    public BtfKind kind() {
      return BtfKind.FLOAT;
    }
  }

  /**
   * A pointer to {@code type}.
   *
   * @param id the type's id
   * @param type the id of the type it points to
   */
  record Ptr(int id, int type) implements BtfType {
    public String name() {
      return "";
    }

    public BtfKind kind() {
      return BtfKind.PTR;
    }
  }

  /**
   * {@code count} elements of {@code type}.
   *
   * @param id the type's id
   * @param type the id of the elements' type
   * @param indexType the id of the index's type
   * @param count the number of elements
   */
  record Array(int id, int type, int indexType, int count) implements BtfType {
    public String name() {
      return "";
    }

    public BtfKind kind() {
      return BtfKind.ARRAY;
    }
  }

  /**
   * A struct or a union of {@code size} bytes.
   *
   * @param id the type's id
   * @param name its name; empty when anonymous
   * @param size its size in bytes
   * @param union true for a union
   * @param members its members, in order
   */
  record Composite(int id, String name, int size, boolean union, List<Member> members) implements BtfType {
    public BtfKind kind() {
      return union ? BtfKind.UNION : BtfKind.STRUCT;
    }
  }

  /**
   * A member of a struct or union.
   *
   * @param name its name; empty for an anonymous struct or union
   * @param type the id of its type
   * @param bitOffset where it starts, in bits from the start of its struct
   * @param bitfieldSize its width in bits; 0 when it is not a bitfield
   */
  record Member(String name, int type, long bitOffset, int bitfieldSize) {}

  /**
   * An enum of {@code size} bytes (ENUM or ENUM64), its values signed or not.
   *
   * @param id the type's id
   * @param name its name; empty when anonymous
   * @param size its size in bytes
   * @param signed whether its values are signed
   * @param wide true for ENUM64
   * @param values its named values
   */
  record Enum(int id, String name, int size, boolean signed, boolean wide, List<EnumValue> values) implements BtfType {
    public BtfKind kind() {
      return wide ? BtfKind.ENUM64 : BtfKind.ENUM;
    }
  }

  /**
   * A named value of an enum.
   *
   * @param name the name
   * @param value the value; an unsigned 64-bit value is held in a long's bits
   */
  record EnumValue(String name, long value) {}

  /**
   * A struct or union declared but not defined here.
   *
   * @param id the type's id
   * @param name its name
   * @param union true for a union
   */
  record Fwd(int id, String name, boolean union) implements BtfType {
    public BtfKind kind() {
      return BtfKind.FWD;
    }
  }

  /**
   * A typedef, const, volatile, restrict or type tag of {@code type}.
   *
   * @param id the type's id
   * @param kind which of them
   * @param name its name (a typedef's); empty for the others
   * @param type the id of the type it qualifies or names
   */
  record Modifier(int id, BtfKind kind, String name, int type) implements BtfType {}

  /**
   * A function, a function prototype, a variable, a data section or a declaration tag: not data a
   * map holds.
   *
   * @param id the type's id
   * @param kind which of them
   * @param name its name
   * @param type the id of the type it refers to (a function's prototype, a variable's type)
   * @param refs the ids of the other types it refers to (parameters, section variables)
   */
  record Other(int id, BtfKind kind, String name, int type, List<Integer> refs) implements BtfType {}
}
