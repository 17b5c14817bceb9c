package io.bpfmap.core;

/** The kernel refused an operation: no CAP_BPF, a read-only open, or file permissions on a pin. */
public final class BpfPermissionException extends BpfException {
  private static final long serialVersionUID = 1L;

  public BpfPermissionException(String operation, String target, int errno, String detail) {
    super(operation, target, errno, detail);
  }
}
