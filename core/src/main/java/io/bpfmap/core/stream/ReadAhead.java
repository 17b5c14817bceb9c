package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reads a cycle's batches on a thread of its own ({@link #LOOPS}) while the cycle's thread emits
 * the batch before: the kernel reads one batch after the other, with no hand-off per batch on the
 * reading side. Two buffer sets bound it (the cursor's {@link io.bpfmap.core.BatchCursor#sets}): it
 * reads into a set only once that set is free. A set is free again when the emitter
 * {@link #take}s the batch after the one it held; or, when the batches are lent in place
 * ({@code MapStream.views()}), once their subscriber {@linkplain #giveBack gives them back}, in any
 * order and across passes. In DRAIN it takes out of the kernel only what the subscriber has
 * requested ({@link #grant}).
 *
 * <p>The reading loop never waits: when both sets are full or nothing more is granted, it ends,
 * and {@link #take} or {@link #grant} starts a new one once it can go on. So a subscriber that
 * stops requesting holds no thread, and the loop never waits for a thread that waits for it.
 * Thread-safe: one emitter, one reading loop at a time.
 */
final class ReadAhead {
  /** What reads one batch of at most {@code max} entries into buffer set {@code set}, on the reading thread. */
  @FunctionalInterface
  interface Read {
    Batch read(int max, int set);
  }

  /**
   * One read into buffer set {@code set}: {@code got} entries (0 at the end of the pass; DRAIN's
   * NEEDS_MORE), in these buffers, with their {@link Digest} (CHANGES; else null); or the read's
   * {@code failure}.
   */
  record Batch(int set, int got, MemorySegment keys, MemorySegment values, Digest digest, Throwable failure) {
    static Batch failed(int set, Throwable t) {
      return new Batch(set, 0, null, null, null, t);
    }

    /** The last read of a loop: the pass is over, or it could not go on. */
    boolean last() {
      return failure != null || got <= 0;
    }
  }

  /**
   * Where the loops run: threads of their own, never the stream's scheduler's (a cycle waiting for
   * its batch may hold the scheduler's last thread), nor virtual ones (a loop in the kernel pins
   * its carrier for a whole cycle). As many as loops run at once; a thread idle for 30 s ends.
   */
  static final Executor LOOPS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
      new SynchronousQueue<>(), Thread.ofPlatform().daemon().name("bpfmap-read-ahead-", 1).factory());
  /** How many buffer sets a pass reads into, in turn. */
  static final int SETS = 2;
  private static final int ALL = (1 << SETS) - 1;
  private final Executor executor;
  private final int batchSize;
  private final ArrayDeque<Batch> ready = new ArrayDeque<>(SETS);
  /** Bit s: set s may be read into. */
  private int free;
  /** Bit s: set s holds a batch lent to a subscriber, which gives it back (lending passes). */
  private int lent;
  private boolean lending;
  private long granted;
  private long taken;
  private Read read;
  private boolean running;
  /** The loop produced its last batch: the pass is over (or failed, or DRAIN needs a read per key). */
  private boolean over;
  private boolean stopping;
  private Batch held;

  ReadAhead(Executor executor, int batchSize) {
    this.executor = executor;
    this.batchSize = batchSize;
  }

  /**
   * A new pass: nothing read yet; the loop may take {@code grant} entries (Long.MAX_VALUE: all).
   * When {@code lend}, each batch taken stays out of use until {@link #giveBack}; sets still lent
   * from a pass before stay so.
   */
  synchronized void reset(Read reader, long grant, boolean lend) {
    stopping = true;
    waitUntil(() -> !running);  // a loop of the pass before never runs into this one
    read = reader;
    over = false;
    ready.clear();
    held = null;
    lending = lend;
    free = ALL & ~lent;
    taken = 0;
    granted = grant;
    stopping = false;
  }

  /** DRAIN: the loop may take {@code total} entries out of the kernel in this pass, all reads counted. */
  void grant(long total) {
    synchronized (this) {
      granted = total;
    }
    startIfIdle();
  }

  /**
   * DRAIN, after a bucket larger than the grant (NEEDS_MORE): the cycle took {@code n} entries per
   * key, which count against the grant, and the reading loop may start again where the cursor is.
   */
  synchronized void tookPerKey(int n) {
    taken += n;
    over = false;
  }

  /** Whether a new loop would have something to do: no loop runs, a set is free, entries are granted. */
  private boolean canStart() {
    return !running && !over && !stopping && free != 0 && granted > taken;
  }

  /** Starts a loop when none runs and one would have something to do. */
  private void startIfIdle() {
    boolean start;
    synchronized (this) {
      start = canStart();
      running |= start;
    }
    if (!start) {
      return;
    }
    try {
      executor.execute(() -> loop(false));
    } catch (RejectedExecutionException | OutOfMemoryError noThread) {
      loop(true);  // no thread to be had (refused, or none can be made): one read, here
    }
  }

  /**
   * The next batch, once read: gives back the set of the batch taken before (unless lent), and
   * starts the reading loop when none runs. Blocks while the kernel reads; null at once when
   * nothing can be read before a lent set is {@linkplain #giveBack given back}.
   */
  Batch take() {
    synchronized (this) {
      if (held != null && held.got() > 0 && !lending) {
        free |= 1 << held.set();
      }
      held = null;
    }
    startIfIdle();
    synchronized (this) {
      // the loop may have stopped for want of a free set (every one lent, maybe by a views pass
      // before): then nothing comes until a give-back, and the caller waits without a thread
      waitUntil(() -> !ready.isEmpty() || !running && !canStart());
      held = ready.poll();
      if (lending && held != null && held.got() > 0) {
        lent |= 1 << held.set();
      }
      return held;
    }
  }

  /**
   * A lent batch's subscriber is done with buffer set {@code set}: it may be read into again (a
   * loop starts if the pass wants more). Any thread.
   */
  void giveBack(int set) {
    synchronized (this) {
      int bit = 1 << set;
      if ((lent & bit) == 0) {
        return;
      }
      lent &= ~bit;
      free |= bit;
      notifyAll();
    }
    startIfIdle();
  }

  /**
   * Stops the loop and waits until it is done with the kernel; returns the batches it read that
   * were not taken (DRAIN puts them back).
   */
  synchronized List<Batch> stop() {
    stopping = true;
    notifyAll();
    waitUntil(() -> !running);
    List<Batch> left = new ArrayList<>(ready);
    ready.clear();
    return left;
  }

  /** Waits on this monitor, which the caller holds, until {@code done}; an interrupt is kept, not lost. */
  private void waitUntil(BooleanSupplier done) {
    boolean interrupted = false;
    while (!done.getAsBoolean()) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads batches while a set is free (and, in DRAIN, entries are granted), until a last one;
   * only one when {@code once}.
   */
  private void loop(boolean once) {
    while (true) {
      int max;
      int set;
      synchronized (this) {
        if (stopping || free == 0 || granted <= taken) {
          running = false;
          notifyAll();
          return;
        }
        set = Integer.numberOfTrailingZeros(free);
        free &= ~(1 << set);
        max = (int) Math.min(batchSize, granted - taken);
      }
      Batch b;
      try {
        b = read.read(max, set);
      } catch (RuntimeException | Error e) {
        b = Batch.failed(set, e);
      }
      synchronized (this) {
        ready.add(b);
        if (b.got() > 0) {
          taken += b.got();
        } else {
          free |= 1 << set;
        }
        over |= b.last();
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
