package io.bpfmap.core;

/**
 * A layout that does not fit its map, or is missing: its size differs from the map's, it differs
 * from the map's BTF (unless trusted), or none was given for a map without BTF. {@link #role()}
 * says which layout: {@code "key"} or {@code "value"}.
 */
public final class LayoutMismatchException extends BpfException {
  private static final long serialVersionUID = 1L;
  /** {@code "key"} or {@code "value"}. */
  private final String role;

  LayoutMismatchException(String target, String role, String detail) {
    super("parse", target, 0, detail);
    this.role = role;
  }

  /** {@return which layout does not fit: {@code "key"} or {@code "value"}} */
  public String role() {
    return role;
  }
}
