package io.bpfmap.core.stream;

import java.util.concurrent.atomic.AtomicReference;

/** A task that runs at most once, on the first thread that asks: a batch's release. */
final class Once {
  private final AtomicReference<Runnable> task;

  /** @param task what to run; null for nothing */
  Once(Runnable task) {
    this.task = new AtomicReference<>(task);
  }

  /** Runs the task unless it ran already (or runs now on another thread). */
  void run() {
    Runnable r = task.getAndSet(null);
    if (r != null) {
      r.run();
    }
  }
}
