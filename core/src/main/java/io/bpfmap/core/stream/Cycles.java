package io.bpfmap.core.stream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The schedule of cycles: one starts at once and then on every tick of {@code interval}; cycles
 * never overlap, and a tick that comes while a cycle is still running (or its subscriber is slow)
 * is dropped and counted instead of queued, so the next cycle waits for the next tick.
 */
final class Cycles {
  private Cycles() {}

  /**
   * @param timer ticks only (non-blocking); the cycles choose their own scheduler
   * @param onSkipped called once per dropped tick
   * @param cycle the Flux of cycle number n (from 1)
   */
  static <T> Flux<T> schedule(Duration interval, Scheduler timer, Runnable onSkipped,
      LongFunction<Publisher<T>> cycle) {
    return Flux.defer(() -> {
      AtomicLong number = new AtomicLong();
      return Flux.interval(Duration.ZERO, interval, timer)
          .onBackpressureDrop(tick -> onSkipped.run())
          .concatMap(tick -> cycle.apply(number.incrementAndGet()), 0);
    });
  }
}
