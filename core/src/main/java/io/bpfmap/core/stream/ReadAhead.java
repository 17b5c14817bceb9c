package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Reads a cycle's batches on a thread of the stream's scheduler while the cycle's own thread emits
 * the batch before: the kernel reads one batch after the other, with no hand-off per batch on the
 * reading side. Two buffer sets bound it (the cursor's, {@link io.bpfmap.core.BatchCursor#alternate}
 * makes its reads take turns between them): it reads into a set only once the emitter has
 * {@link #take}n the next batch, so it is done with the one that set held. In DRAIN it takes out of
 * the kernel only what the subscriber has requested ({@link #grant}). Thread-safe: one emitter,
 * one reading loop.
 */
final class ReadAhead {
  /** What reads one batch of at most {@code max} entries, on the reading thread. */
  @FunctionalInterface
  interface Read {
    Batch read(int max);
  }

  /**
   * One read: {@code got} entries (0 at the end of the pass; DRAIN's NEEDS_MORE), in these
   * buffers, with their {@link Digest} (CHANGES; else null); or the read's {@code failure}.
   */
  record Batch(int got, MemorySegment keys, MemorySegment values, Digest digest, Throwable failure) {
    static Batch failed(Throwable t) {
      return new Batch(0, null, null, null, t);
    }

    /** The last read of a loop: the pass is over, or it could not go on. */
    boolean last() {
      return failure != null || got <= 0;
    }
  }

  private static final int SETS = 2;
  private final Executor executor;
  private final int batchSize;
  private final ArrayDeque<Batch> ready = new ArrayDeque<>(SETS);
  private int freeSets;
  private long granted;
  private long taken;
  private boolean running;
  private boolean stopping;
  private Batch held;

  ReadAhead(Executor executor, int batchSize) {
    this.executor = executor;
    this.batchSize = batchSize;
  }

  /** A new pass: nothing read yet; the loop may take {@code grant} entries (Long.MAX_VALUE: all). */
  synchronized void reset(long grant) {
    ready.clear();
    held = null;
    freeSets = SETS;
    taken = 0;
    granted = grant;
    stopping = false;
  }

  /** DRAIN: the loop may take {@code total} entries out of the kernel in this pass, all reads counted. */
  synchronized void grant(long total) {
    granted = total;
    notifyAll();
  }

  /**
   * The next batch, once read: gives back the set of the batch taken before, and starts the
   * reading loop when none runs. Blocks while the kernel reads.
   */
  Batch take(Read read) {
    boolean start;
    synchronized (this) {
      if (held != null && held.got() > 0) {
        freeSets++;
        notifyAll();
      }
      held = null;
      start = ready.isEmpty() && !running;
      running |= start;
    }
    if (start) {
      try {
        executor.execute(() -> loop(read, false));
      } catch (RejectedExecutionException disposed) {
        loop(read, true);  // the scheduler is gone: one read, here
      }
    }
    synchronized (this) {
      boolean interrupted = false;
      while (ready.isEmpty()) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      held = ready.poll();
      return held;
    }
  }

  /**
   * Stops the loop and waits until it is done with the kernel; returns the batches it read that
   * were not taken (DRAIN puts them back).
   */
  synchronized List<Batch> stop() {
    stopping = true;
    notifyAll();
    boolean interrupted = false;
    while (running) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    List<Batch> left = new ArrayList<>(ready);
    ready.clear();
    return left;
  }

  /**
   * Reads batches while a set is free (and, in DRAIN, entries are granted), until a last one;
   * only one when {@code once}.
   */
  private void loop(Read read, boolean once) {
    while (true) {
      int max;
      synchronized (this) {
        while (!stopping && (freeSets == 0 || granted - taken <= 0)) {
          try {
            wait();
          } catch (InterruptedException e) {
            stopping = true;
          }
        }
        if (stopping) {
          running = false;
          notifyAll();
          return;
        }
        freeSets--;
        max = (int) Math.min(batchSize, granted - taken);
      }
      Batch b;
      try {
        b = read.read(max);
      } catch (RuntimeException | Error e) {
        b = Batch.failed(e);
      }
      synchronized (this) {
        ready.add(b);
        if (b.got() > 0) {
          taken += b.got();
        } else {
          freeSets++;
        }
        boolean end = b.last() || once;
        running &= !end;
        notifyAll();
        if (end) {
          return;
        }
      }
    }
  }
}
