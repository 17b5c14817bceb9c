package io.bpfmap.fleet;

import io.bpfmap.core.BpfException;

/**
 * A fleet table that cannot start or answer: a bad aggregate, a topic that is missing, a query
 * while the table rebalances. The message is one line that says what and where.
 */
public class FleetException extends BpfException {
  private static final long serialVersionUID = 1L;

  /**
   * A failure described in one line.
   *
   * @param message what failed, and where
   */
  public FleetException(String message) {
    super(message, "fleet", null);
  }

  /**
   * A failure described in one line, with its cause.
   *
   * @param message what failed, and where
   * @param cause the underlying exception
   */
  public FleetException(String message, Throwable cause) {
    super(message, "fleet", cause);
  }
}
