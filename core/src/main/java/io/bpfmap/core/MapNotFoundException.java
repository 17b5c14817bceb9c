package io.bpfmap.core;

/** A pin path that holds no BPF map (missing, or some other object), or a map that is gone. */
public final class MapNotFoundException extends BpfException {
  private static final long serialVersionUID = 1L;

  public MapNotFoundException(String operation, String target, int errno, String detail) {
    super(operation, target, errno, detail);
  }
}
