package io.bpfmap.exporter;

/** A bad input found by the command line itself: printed as one line, exit code 2. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(io.bpfmap.core.BpfException.oneLine(message));
  }

  CliException(String message, Throwable cause) {
    super(io.bpfmap.core.BpfException.oneLine(message), cause);
  }
}
