package io.bpfmap.core.stream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The two ways a {@link MapStream} is read, as Fluxes over its one {@link CycleReader}: its events,
 * and its batches lent in place (views). One reads at a time: a subscription to one while the other
 * reads ends at once with an error that says so. Each new reading starts fresh (cycles from 1,
 * CHANGES state empty).
 */
final class Readings {
  private final String name;
  private final CycleReader reader;
  private final StreamStats stats;
  private final Scheduler io;
  private final Duration interval;
  private final Scheduler timer;
  private final Mono<Void> closed;
  private final AtomicBoolean fresh = new AtomicBoolean(true);
  /** What reads now: "events()", "views()", or null. */
  private final AtomicReference<String> readBy = new AtomicReference<>();

  Readings(String name, CycleReader reader, StreamStats stats, Scheduler io, Duration interval, Scheduler timer,
      Mono<Void> closed) {
    this.name = name;
    this.reader = reader;
    this.stats = stats;
    this.io = io;
    this.interval = interval;
    this.timer = timer;
    this.closed = closed;
  }

  /**
   * The events: shared by up to {@code subscribers} ({@code prefetch} ahead of the slowest), or in
   * DRAIN one subscriber at a time, the events operators discard going back into the map.
   */
  Flux<MapEvent> events(Mode mode, int prefetch, int subscribers) {
    Flux<MapEvent> cycles = cycles(n -> CyclePublisher.events(reader, n, fresh.getAndSet(false), stats, io));
    if (mode != Mode.DRAIN) {
      return exclusive("events()", null, cycles).publish(prefetch).refCount(subscribers);
    }
    // An event that left the engine just as the subscriber cancelled is discarded by the operators
    // in between: it was taken out of the kernel, so it goes back into the map (on the stream's
    // scheduler: the discarding thread may be one that must not block).
    return exclusive("events()", "DRAIN delivers each entry once: one subscriber at a time (share it downstream)",
        cycles.doOnDiscard(Event.class, e -> reader.restoreLater(e, io)));
  }

  /**
   * The batches lent in place, to one subscriber at a time; or, when {@code refusal} is not null,
   * a Flux that fails with it. A batch an operator drops on the way (a cancel) is released.
   */
  Flux<MapBatch> views(String refusal) {
    if (refusal != null) {
      return Flux.error(() -> CycleReader.error(name, refusal));
    }
    Flux<MapBatch> cycles = cycles(n -> CyclePublisher.views(reader, n, fresh.getAndSet(false), stats, io));
    return exclusive("views()", "views() lends each batch to one subscriber: one at a time", cycles)
        .doOnDiscard(MapBatch.class, MapBatch::release);
  }

  private <T> Flux<T> cycles(LongFunction<CyclePublisher<T>> cycle) {
    return Cycles.schedule(interval, timer, stats::skipped, n -> cycle.apply(n).subscribeOn(io))
        .takeUntilOther(closed);
  }

  /** {@code flux}, read by {@code api} alone; {@code busy} says why a second subscriber of {@code api} is refused. */
  private <T> Flux<T> exclusive(String api, String busy, Flux<T> flux) {
    return Flux.defer(() -> {
      if (!readBy.compareAndSet(null, api)) {
        String other = readBy.get();
        return Flux.error(CycleReader.error(name, api.equals(other) && busy != null ? busy
            : "the stream is read through " + other + ", and " + api + " cannot read it at the same time"));
      }
      fresh.set(true);
      return flux.doFinally(s -> readBy.compareAndSet(api, null));
    });
  }
}
