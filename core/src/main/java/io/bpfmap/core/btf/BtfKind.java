package io.bpfmap.core.btf;

/**
 * The kinds of BTF type, by the number the kernel gives them (include/uapi/linux/btf.h): a
 * constant's ordinal is its {@code BTF_KIND_*} number.
 */
public enum BtfKind {
  /** 0: void, the type of id 0; no type in a blob has this kind. */
  VOID,
  /** 1: an integer, char or bool. */
  INT,
  /** 2: a pointer. */
  PTR,
  /** 3: an array of a fixed number of elements. */
  ARRAY,
  /** 4: a struct. */
  STRUCT,
  /** 5: a union. */
  UNION,
  /** 6: an enum whose values are 32 bits. */
  ENUM,
  /** 7: a forward declaration of a struct or union. */
  FWD,
  /** 8: a typedef. */
  TYPEDEF,
  /** 9: the {@code volatile} qualifier. */
  VOLATILE,
  /** 10: the {@code const} qualifier. */
  CONST,
  /** 11: the {@code restrict} qualifier. */
  RESTRICT,
  /** 12: a function (its prototype is a FUNC_PROTO). */
  FUNC,
  /** 13: a function prototype: return and parameter types. */
  FUNC_PROTO,
  /** 14: a global or static variable. */
  VAR,
  /** 15: a data section ({@code .data}, {@code .bss}, {@code .maps}…) and its variables. */
  DATASEC,
  /** 16: a floating-point type. */
  FLOAT,
  /** 17: a declaration tag ({@code btf_decl_tag}) on a declaration or one of its members. */
  DECL_TAG,
  /** 18: a type tag ({@code btf_type_tag}) on a pointed-to type. */
  TYPE_TAG,
  /** 19: an enum whose values are 64 bits. */
  ENUM64;

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
