package io.bpfmap.core;

/** A pin path that holds no BPF map (missing, or some other object), or a map that is gone. */
public final class MapNotFoundException extends BpfException {
  private static final long serialVersionUID = 1L;

  /**
   * A map that {@code operation} could not find at {@code target}.
   * @param operation what failed: {@code open pin}, {@code open}, {@code select map}…
   * @param target what was looked for: a pin path, {@code map id 42}, {@code name:flows}, a map
   * @param errno ENOENT or EBADF, or 0 when the pin holds some other BPF object
   * @param detail what was there instead, or why it is gone
   */
  public MapNotFoundException(String operation, String target, int errno, String detail) {
    super(operation, target, errno, detail);
  }
}
