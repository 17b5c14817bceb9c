package io.bpfmap.core.record;

import io.bpfmap.core.BpfException;

/**
 * A bad layout, a value that does not fit it, or bytes that do not match it. The message starts
 * with the path of the field ({@code nested.level2_1: unknown format 'Z'}), or says what was wrong
 * with the whole record when no single field is to blame.
 */
public final class LayoutException extends BpfException {
  private static final long serialVersionUID = 1L;

  /** The field path; empty for the whole record. */
  private final String path;

  /**
   * A layout error at a field; the message is {@code path: detail}, or {@code detail} alone.
   * @param path the field path ({@code data[2]}), or empty when the whole record is to blame
   * @param detail what is wrong, without the path ({@code unknown format 'Z'})
   */
  public LayoutException(String path, String detail) {
    super(path.isEmpty() ? detail : path + ": " + detail, "layout", null);
    this.path = path;
  }

  /** {@return the field path ({@code data[2]}, {@code nested.level2_1}); empty for the record} */
  public String path() {
    return path;
  }
}
