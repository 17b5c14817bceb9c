package io.bpfmap.core.stream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * One cycle of a map as a Flux: pulls events from the {@link CycleReader} only as the subscriber
 * requests them (so DRAIN takes out of the kernel at most what was asked for), then completes after
 * CYCLE_END. Errors from the kernel end it with {@code onError}. The reads run on the thread that
 * requests: subscribe it on a scheduler meant for blocking work.
 */
final class CyclePublisher extends Flux<MapEvent> {
  private final CycleReader reader;
  private final long number;
  private final boolean fresh;
  private final StreamStats stats;

  CyclePublisher(CycleReader reader, long number, boolean fresh, StreamStats stats) {
    this.reader = reader;
    this.number = number;
    this.fresh = fresh;
    this.stats = stats;
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
    private volatile boolean settled;
    private volatile Thread draining;
    private volatile boolean started;
    private boolean done;

    Cycle(CoreSubscriber<? super MapEvent> actual) {
      this.actual = actual;
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.getAndUpdate(r -> Operators.addCap(r, n));
        drain();
      }
    }

    /**
     * Stops the cycle. Called from another thread, it returns only once the cycle has settled: an
     * event being emitted has reached the subscriber, and in DRAIN the entries taken but not
     * emitted are back in the map. So a sink that cancels and then waits for its in-flight work
     * sees every event it will ever get. (From inside onNext it returns at once.)
     */
    @Override
    public void cancel() {
      cancelled = true;
      drain();
      if (Thread.currentThread() != draining) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!settled && started && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      draining = Thread.currentThread();
      try {
        drainLoop();
      } finally {
        draining = null;
      }
    }

    private void drainLoop() {
      int missed = 1;
      do {
        if (cancelled) {
          if (!done && started) {
            done = true;
            stats.drainConflicts(reader.restoreUndelivered());
            reader.abandon();
          }
          settled = true;
          return;
        }
        long r = requested.get();
        long e = 0;
        try {
          if (!started) {
            started = true;
            reader.begin(number, fresh);
          }
          while (e != r && !cancelled && !done) {
            MapEvent ev = reader.next(r - e);
            if (ev == null) {
              done = true;
              settled = true;
              stats.emitted(e);
              actual.onComplete();
              return;
            }
            actual.onNext(ev);
            e++;
          }
          stats.emitted(e);
        } catch (RuntimeException err) {
          done = true;
          settled = true;
          reader.abandon();
          stats.error(err);
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
  }
}
