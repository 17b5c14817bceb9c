package io.bpfmap.core.mask;

import io.bpfmap.core.BpfException;

/** A mask that does not fit its layout, or a bad letter; the message names the mask path. */
public final class MaskException extends BpfException {
  private static final long serialVersionUID = 1L;

  private final String path;

  public MaskException(String path, String detail) {
    super("mask" + (path.isEmpty() ? "" : " " + path) + ": " + detail, "mask", null);
    this.path = path;
  }

  /** The path in the mask ({@code data[2]}), empty for the whole mask. */
  public String path() {
    return path;
  }
}
