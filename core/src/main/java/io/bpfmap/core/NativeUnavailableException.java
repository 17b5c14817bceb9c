package io.bpfmap.core;

/**
 * bpfmap cannot reach libbpf at all: {@code libbpf.so.1} is not installed, or the JVM was started
 * without {@code --enable-native-access}. The message says what to install or which flag to add.
 */
public final class NativeUnavailableException extends BpfException {
  private static final long serialVersionUID = 1L;

  private final String detail;

  public NativeUnavailableException(String detail, Throwable cause) {
    super("load libbpf", "", 0, detail, cause);
    this.detail = detail;
  }

  /** The reason without the operation: {@code libbpf.so.1 not found: install…}. */
  public String detail() {
    return detail;
  }
}
