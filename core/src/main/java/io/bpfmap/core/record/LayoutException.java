package io.bpfmap.core.record;

import io.bpfmap.core.BpfException;

/**
 * A bad layout, a value that does not fit it, or bytes that do not match it. The message starts
 * with the path of the field ({@code nested.level2_1: unknown format 'Z'}), or says what was wrong
 * with the whole record when no single field is to blame.
 */
public final class LayoutException extends BpfException {
  private static final long serialVersionUID = 1L;

  private final String path;

  public LayoutException(String path, String detail) {
    super(path.isEmpty() ? detail : path + ": " + detail, "layout", null);
    this.path = path;
  }

  /** The field path ({@code data[2]}, {@code nested.level2_1}); empty for the whole record. */
  public String path() {
    return path;
  }
}
