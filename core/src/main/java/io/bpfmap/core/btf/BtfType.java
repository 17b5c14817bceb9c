package io.bpfmap.core.btf;

import java.util.List;

/**
 * One BTF type, as the kernel's format describes it. Every type has its id (void is 0) and a
 * name, empty when anonymous. References to other types are ids, resolved through {@link Btf}.
 */
public sealed interface BtfType {
  int id();

  String name();

  BtfKind kind();

  /** {@code void}: type id 0. */
  record Void() implements BtfType {
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
   */
  record Int(int id, String name, int size, boolean signed, boolean isChar, boolean isBool, int bitOffset, int bits)
      implements BtfType {
    public BtfKind kind() {
      return BtfKind.INT;
    }
  }

  /** A float of {@code size} bytes. */
  record Float(int id, String name, int size) implements BtfType {
    public BtfKind kind() {
      return BtfKind.FLOAT;
    }
  }

  /** A pointer to {@code type}. */
  record Ptr(int id, int type) implements BtfType {
    public String name() {
      return "";
    }

    public BtfKind kind() {
      return BtfKind.PTR;
    }
  }

  /** {@code count} elements of {@code type}. */
  record Array(int id, int type, int indexType, int count) implements BtfType {
    public String name() {
      return "";
    }

    public BtfKind kind() {
      return BtfKind.ARRAY;
    }
  }

  /** A struct or a union of {@code size} bytes. */
  record Composite(int id, String name, int size, boolean union, List<Member> members) implements BtfType {
    public BtfKind kind() {
      return union ? BtfKind.UNION : BtfKind.STRUCT;
    }
  }

  /** A member at {@code bitOffset} bits; {@code bitfieldSize} is its width in bits, 0 when not a bitfield. */
  record Member(String name, int type, long bitOffset, int bitfieldSize) {}

  /** An enum of {@code size} bytes (ENUM or ENUM64), its values signed or not. */
  record Enum(int id, String name, int size, boolean signed, boolean wide, List<EnumValue> values) implements BtfType {
    public BtfKind kind() {
      return wide ? BtfKind.ENUM64 : BtfKind.ENUM;
    }
  }

  /** A named value; unsigned 64-bit values are held in a long's bits. */
  record EnumValue(String name, long value) {}

  /** A struct or union declared but not defined here. */
  record Fwd(int id, String name, boolean union) implements BtfType {
    public BtfKind kind() {
      return BtfKind.FWD;
    }
  }

  /** A typedef, const, volatile, restrict or type tag of {@code type}. */
  record Modifier(int id, BtfKind kind, String name, int type) implements BtfType {}

  /** A function, a function prototype, a variable, a data section or a declaration tag: not data a map holds. */
  record Other(int id, BtfKind kind, String name, int type, List<Integer> refs) implements BtfType {}
}
