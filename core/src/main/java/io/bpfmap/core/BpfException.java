package io.bpfmap.core;

/**
 * The root of every bpfmap failure: an unchecked exception carrying the operation, the map (or
 * pin) it concerned, and the errno the kernel returned (0 when the error was found before any
 * syscall). The message is one line: {@code update on map 'flows': EPERM (Operation not
 * permitted): the map was opened read-only}.
 */
public class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String target;
  private final int errno;

  /**
   * A failure of {@code operation} on {@code target}: a map ("map 'flows'", rendered "lookup on
   * map 'flows'") or a path ("/sys/fs/bpf/x", rendered "open pin /sys/fs/bpf/x").
   */
  public BpfException(String operation, String target, int errno, String detail) {
    this(operation, target, errno, detail, null);
  }

  public BpfException(String operation, String target, int errno, String detail, Throwable cause) {
    super(message(operation, target, errno, detail), cause);
    this.operation = operation;
    this.target = target;
    this.errno = errno;
  }

  /** For subclasses whose message has its own shape (layout errors start with the field path). */
  protected BpfException(String message, String operation, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.target = "";
    this.errno = 0;
  }

  /** The operation that failed: {@code lookup}, {@code batch lookup}, {@code open pin}… */
  public String operation() {
    return operation;
  }

  /** What it failed on: {@code map 'flows'} or a path {@code /sys/fs/bpf/flows}; may be empty. */
  public String target() {
    return target;
  }

  /** The errno the kernel returned, or 0 when the error was found before any syscall. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name ({@code ENOENT}), or the empty string when {@link #errno()} is 0. */
  public String errnoName() {
    return errno == 0 ? "" : Errno.name(errno);
  }

  private static String message(String operation, String target, int errno, String detail) {
    StringBuilder sb = new StringBuilder(operation);
    if (target != null && !target.isEmpty()) {
      sb.append(target.startsWith("/") ? " " : " on ").append(target);
    }
    if (errno != 0) {
      sb.append(": ").append(Errno.name(errno)).append(" (").append(Errno.description(errno)).append(')');
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }
}
