package io.bpfmap.core.btf;

/** The kinds of BTF type, by the number the kernel gives them (include/uapi/linux/btf.h). */
public enum BtfKind {
  VOID, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR,
  DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64;

  private static final BtfKind[] BY_CODE = values();

  /** The kind numbered {@code code}, or null when no kind has that number. */
  static BtfKind of(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** Kinds that only qualify or rename another type: layouts look through them. */
  boolean isModifier() {
    return this == TYPEDEF || this == VOLATILE || this == CONST || this == RESTRICT || this == TYPE_TAG;
  }
}
