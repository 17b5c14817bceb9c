package io.bpfmap.core.stream;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * One cycle of a map as a Flux: pulls events (or, for views, batches lent in place) from the
 * {@link CycleReader} only as the subscriber requests them (so DRAIN takes out of the kernel at
 * most what was asked for), then completes after CYCLE_END (or the batch that ends the cycle).
 * Errors from the kernel end it with {@code onError}. The reads run on the thread that requests:
 * subscribe it on a scheduler meant for blocking work. A views cycle whose buffer sets are all
 * lent waits without a thread; a release wakes it on {@code io}.
 *
 * <p>{@code cancel()} only sets a flag and returns (Reactive Streams rule 3.5). The thread that is
 * emitting sees it and settles the cycle; when none is, the settling runs on {@code io}. Settling a
 * DRAIN cycle puts the entries taken out of the kernel but not emitted back into the map, then
 * releases the reader ({@link CycleReader#idle()} completes).
 */
final class CyclePublisher<T> extends Flux<T> {
  private final CycleReader reader;
  private final long number;
  private final boolean fresh;
  private final StreamStats stats;
  private final Scheduler io;
  private final boolean views;

  private CyclePublisher(CycleReader reader, long number, boolean fresh, StreamStats stats, Scheduler io,
      boolean views) {
    this.reader = reader;
    this.number = number;
    this.fresh = fresh;
    this.stats = stats;
    this.io = io;
    this.views = views;
  }

  /** Cycle {@code number} as events; CHANGES state starts over when {@code fresh}. */
  static CyclePublisher<MapEvent> events(CycleReader reader, long number, boolean fresh, StreamStats stats,
      Scheduler io) {
    return new CyclePublisher<>(reader, number, fresh, stats, io, false);
  }

  /** Cycle {@code number} as batches lent in place ({@link MapStream#views()}). */
  static CyclePublisher<MapBatch> views(CycleReader reader, long number, boolean fresh, StreamStats stats,
      Scheduler io) {
    return new CyclePublisher<>(reader, number, fresh, stats, io, true);
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    actual.onSubscribe(new Cycle(actual));
  }

  private final class Cycle implements Subscription {
    private final CoreSubscriber<? super T> actual;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private boolean started;
    /** {@link #wake}, made once: the reader is handed it with every event asked for. */
    private final Runnable wakeUp = this::wake;
    /** The reader was released: once per cycle, whatever a subscriber throws. */
    private boolean released;
    private boolean done;

    Cycle(CoreSubscriber<? super T> actual) {
      this.actual = actual;
    }

    /** Runs the loop again on {@code io}: work was signalled from a thread that may not block. */
    private void wake() {
      if (wip.getAndIncrement() == 0) {
        try {
          io.schedule(this::drainLoop);
        } catch (RejectedExecutionException disposed) {
          drainLoop();
        }
      }
    }

    /** The next item, or null when the cycle is over or (views) waits for a lent batch to come back. */
    @SuppressWarnings("unchecked")
    private T next(long demand) {
      return (T) (views ? reader.nextView(wakeUp) : reader.next(demand, wakeUp));
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.getAndUpdate(r -> Operators.addCap(r, n));
        if (wip.getAndIncrement() == 0) {
          drainLoop();
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      wake();
    }

    /** Runs by one thread at a time (whoever moved wip from 0), until no more work was signalled. */
    private void drainLoop() {
      int missed = 1;
      do {
        if (cancelled) {
          settleCancelled();
          return;
        }
        long r = requested.get();
        long e = 0;
        try {
          Lease.Cycle start = started ? Lease.Cycle.STARTED : reader.acquire(wakeUp);
          if (start == Lease.Cycle.CLOSED) {
            done = true;
            actual.onError(CycleReader.error(reader.mapName(), "the stream is closed"));
            return;
          } else if (!started && start == Lease.Cycle.STARTED) {
            started = true;
            reader.begin(number, fresh, views);
          }
          while (started && e != r && !cancelled && !done) {
            T item = next(r - e);
            if (item == null && !reader.over()) {
              break;  // every buffer set lent: the next release wakes this loop
            } else if (item == null) {
              done = true;
              countEmitted(e);
              releaseReader();
              actual.onComplete();
              return;
            }
            actual.onNext(item);
            e++;
          }
          countEmitted(e);
        } catch (RuntimeException | Error err) {
          // a kernel error, or one the read-ahead's thread met: DRAIN gives back what it took
          // and did not deliver, and the reader is released, before anyone hears of it
          done = true;
          if (released) {
            // the subscriber threw from onComplete: the cycle is over, its reader may be another's
            Exceptions.throwIfJvmFatal(err);
            Operators.onErrorDropped(err, actual.currentContext());
            return;
          }
          try {
            stats.drainConflicts(reader.restoreUndelivered());
            reader.abandon();
          } finally {
            releaseReader();
          }
          stats.error(err);
          Exceptions.throwIfJvmFatal(err);
          actual.onError(err);
          return;
        }
        if (e != 0) {
          long produced = e;
          requested.getAndUpdate(q -> q == Long.MAX_VALUE ? q : q - produced);
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void releaseReader() {
      if (!released) {
        released = true;
        reader.release();
      }
    }

    /** Events count as they go; a views cycle counts the entries of each batch as it lends it. */
    private void countEmitted(long items) {
      if (!views) {
        stats.emitted(items);
      }
    }

    /** A cancelled cycle: DRAIN gives back what it took and did not emit; the reader is released. */
    private void settleCancelled() {
      if (done || !started) {
        done = true;
        return;
      }
      done = true;
      try {
        stats.drainConflicts(reader.restoreUndelivered());
      } finally {
        reader.abandon();
        releaseReader();
      }
    }
  }
}
