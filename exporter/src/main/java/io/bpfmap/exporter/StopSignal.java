package io.bpfmap.exporter;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT as a latch, for the commands that run until stopped. A handler replaces the
 * JVM's default, so the command stops in order on its own thread and exits 0, as systemd expects of
 * a clean stop, instead of running shutdown hooks and exiting 143.
 */
final class StopSignal {
  private StopSignal() {}

  /** {@return a latch counted down by the first SIGTERM or SIGINT this process receives} */
  @SuppressWarnings("sunapi") // sun.misc.Signal is the one JDK API that replaces a signal's handler
  static CountDownLatch termOrInt() {
    CountDownLatch stop = new CountDownLatch(1);
    // named in full, not imported: an import's warning cannot be suppressed
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> stop.countDown());
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> stop.countDown());
    return stop;
  }
}
