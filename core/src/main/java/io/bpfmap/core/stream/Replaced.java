package io.bpfmap.core.stream;

import io.bpfmap.core.MapSelector;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The selector found another map than the one being read: a BPF program pinned a new one. */
final class Replaced extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int now;
  final int was;

  Replaced(int now, int was) {
    super("the map was replaced (map id " + now + ", was " + was + ")", null, false, false);
    this.now = now;
    this.was = was;
  }

  /**
   * Checks every {@code every} (on {@code scheduler}) which map {@code selector} finds; errors with
   * {@link Replaced} when it is another than {@code mapId}, or with the selector's error when it
   * finds none (the pin is gone). Never completes otherwise; zero {@code every}: never checks.
   */
  static Mono<Void> watch(MapSelector selector, int mapId, Duration every, Scheduler scheduler) {
    if (every.isZero()) {
      return Mono.never();
    }
    return Flux.interval(every, scheduler).map(t -> selector.currentId(mapId)).filter(id -> id != mapId).next()
        .flatMap(id -> Mono.error(new Replaced(id, mapId)));
  }
}
