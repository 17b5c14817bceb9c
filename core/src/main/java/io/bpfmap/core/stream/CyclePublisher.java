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
 * One cycle of a map as a Flux: pulls events from the {@link CycleReader} only as the subscriber
 * requests them (so DRAIN takes out of the kernel at most what was asked for), then completes after
 * CYCLE_END. Errors from the kernel end it with {@code onError}. The reads run on the thread that
 * requests: subscribe it on a scheduler meant for blocking work.
 *
 * <p>{@code cancel()} only sets a flag and returns (Reactive Streams rule 3.5). The thread that is
 * emitting sees it and settles the cycle; when none is, the settling runs on {@code io}. Settling a
 * DRAIN cycle puts the entries taken out of the kernel but not emitted back into the map, then
 * releases the reader ({@link CycleReader#idle()} completes).
 */
final class CyclePublisher extends Flux<MapEvent> {
  private final CycleReader reader;
  private final long number;
  private final boolean fresh;
  private final StreamStats stats;
  private final Scheduler io;

  CyclePublisher(CycleReader reader, long number, boolean fresh, StreamStats stats, Scheduler io) {
    this.reader = reader;
    this.number = number;
    this.fresh = fresh;
    this.stats = stats;
    this.io = io;
  }

  @Override
  public void subscribe(CoreSubscriber<? super MapEvent> actual) {
    actual.onSubscribe(new Cycle(actual));
  }

  private final class Cycle implements Subscription {
    private final CoreSubscriber<? super MapEvent> actual;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private boolean started;
    private boolean done;

    Cycle(CoreSubscriber<? super MapEvent> actual) {
      this.actual = actual;
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
      if (wip.getAndIncrement() == 0) {
        try {
          io.schedule(this::drainLoop);
        } catch (RejectedExecutionException disposed) {
          drainLoop();
        }
      }
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
          if (!started) {
            started = true;
            if (!reader.acquire()) {
              done = true;
              actual.onError(CycleReader.error(reader.mapName(), "the stream is closed"));
              return;
            }
            reader.begin(number, fresh);
          }
          while (e != r && !cancelled && !done) {
            MapEvent ev = reader.next(r - e);
            if (ev == null) {
              done = true;
              stats.emitted(e);
              reader.release();
              actual.onComplete();
              return;
            }
            actual.onNext(ev);
            e++;
          }
          stats.emitted(e);
        } catch (RuntimeException | Error err) {
          // a kernel error, or one the read-ahead's thread met: DRAIN gives back what it took
          // and did not deliver, and the reader is released, before anyone hears of it
          done = true;
          try {
            stats.drainConflicts(reader.restoreUndelivered());
            reader.abandon();
          } finally {
            reader.release();
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
        reader.release();
      }
    }
  }
}
