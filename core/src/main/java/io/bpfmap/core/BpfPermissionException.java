package io.bpfmap.core;

/**
 * The kernel refused an operation: no CAP_BPF, a read-only open, or file permissions on a pin; or
 * (errno 0) bpfmap refused it first, as a permission mask or a read-only mapping does.
 */
public final class BpfPermissionException extends BpfException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal of {@code operation} on {@code target}; see {@link BpfException#BpfException(String,
   * String, int, String)}.
   * @param operation what was refused
   * @param target the map or path, or empty
   * @param errno EPERM or EACCES, or 0 when bpfmap refused before any syscall
   * @param detail the likely reason: a read-only open, no CAP_BPF, the pin's owner and mode, a mask
   */
  public BpfPermissionException(String operation, String target, int errno, String detail) {
    super(operation, target, errno, detail);
  }
}
