package io.bpfmap.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread (a stream, a broker, a daemon) makes true. */
public final class Await {
  /** Long enough for a slow CI machine; a condition that is never met fails after this. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Await() {}

  /** Polls {@code condition} every 10 ms; fails the test when {@link #TIMEOUT} passes first. */
  public static void until(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + TIMEOUT);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
