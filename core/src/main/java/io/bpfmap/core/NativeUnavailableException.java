package io.bpfmap.core;

/**
 * bpfmap cannot reach libbpf at all: {@code libbpf.so.1} is not installed, or the JVM was started
 * without {@code --enable-native-access}. The message says what to install or which flag to add.
 */
public final class NativeUnavailableException extends BpfException {
  private static final long serialVersionUID = 1L;

  /** The reason, as {@link #detail()} returns it. */
  private final String detail;

  /**
   * libbpf could not be reached; the operation is {@code load libbpf}.
   * @param detail what is missing and what to do (the package to install, the JVM flag to add)
   * @param cause the failure of the lookup or the native access check, or null
   */
  public NativeUnavailableException(String detail, Throwable cause) {
    super("load libbpf", "", 0, detail, cause);
    this.detail = detail;
  }

  /** {@return the reason without the operation: {@code libbpf.so.1 not found: install…}} */
  public String detail() {
    return detail;
  }
}
