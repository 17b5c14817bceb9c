package io.bpfmap.core.mask;

import io.bpfmap.core.BpfException;

/** A mask that does not fit its layout, or a bad letter; the message names the mask path. */
public final class MaskException extends BpfException {
  private static final long serialVersionUID = 1L;

  /** The path in the mask; empty for the whole mask. */
  private final String path;

  /**
   * A mask error at a path; the message is {@code mask path: detail}.
   * @param path the path in the mask ({@code data[2]}), or empty for the whole mask
   * @param detail what is wrong ({@code bad permission 'Q' (R, W or X)})
   */
  public MaskException(String path, String detail) {
    super("mask" + (path.isEmpty() ? "" : " " + path) + ": " + detail, "mask", null);
    this.path = path;
  }

  /** {@return the path in the mask ({@code data[2]}); empty for the whole mask} */
  public String path() {
    return path;
  }
}
