package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One opened map of a {@link MapSupervisor}: the map, its stream, the sinks attached to it, and the
 * order in which they end: the sinks stop taking, the stream's running cycle settles, the sinks
 * settle, then sinks, stream and map are closed, in that order.
 */
final class Generation {
  private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

  final BpfMap map;
  final MapStream stream;
  final MapSupervisor.Attachment sinks;
  final int mapId;
  private final String name;
  private final Consumer<Generation> onClose;
  private boolean closed;

  /** {@code onClose} sees this generation once, when {@link #close()} first runs. */
  Generation(String name, BpfMap map, MapStream stream, MapSupervisor.Attachment sinks,
      Consumer<Generation> onClose) {
    this.name = name;
    this.map = map;
    this.stream = stream;
    this.sinks = sinks;
    this.onClose = onClose;
    this.mapId = map.info().id();
  }

  /**
   * Runs until the stream fails, a sink fails for good, {@code watch} errors (the map was replaced)
   * or {@code stop} completes; then tears down (on {@code scheduler}) and ends with the reason, or
   * empty for a stop. {@code ending} sees a failure before the teardown starts.
   */
  Mono<Void> run(Mono<Void> watch, Mono<Void> stop, Scheduler scheduler, Consumer<Throwable> ending) {
    Mono<Void> streamFailed = Mono.create(sink -> stream.stats().onError(sink::error));
    // A sink's failure() ends the generation only by an error.
    Mono<Void> ended = Mono.firstWithSignal(streamFailed, sinks.failure().then(Mono.<Void>never()), watch, stop);
    return ended.materialize().publishOn(scheduler).flatMap(end -> {
      if (end.isOnError()) {
        ending.accept(end.getThrowable());
      }
      return teardown().then(end.isOnError() ? Mono.<Void>error(end.getThrowable()) : Mono.<Void>empty());
    });
  }

  /**
   * Stop taking, let the running cycle and the sinks settle, then close everything: also when
   * stopping or settling fails (said once), so that no generation is left open.
   */
  private Mono<Void> teardown() {
    return Mono.defer(() -> {
      sinks.stopTaking();
      return stream.idle().then(sinks.settled());
    }).onErrorResume(e -> {
      LOG.warn("map '{}': its sinks failed to settle: {}", name, e.toString());
      return Mono.empty();
    }).then(Mono.fromRunnable(this::close));
  }

  /** Closes sinks, stream and map, settled or not (a forced stop calls it directly). Idempotent. */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    onClose.accept(this);
    try {
      sinks.close();
    } catch (RuntimeException e) {
      LOG.warn("map '{}': closing its sinks failed: {}", name, e.toString());
    } finally {
      stream.close();
      map.close();
    }
  }
}
