package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.OpenMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@link MapStream#resilient}: a pinned map's streams, one after the other, as one Flux. */
final class Resilient {
  private Resilient() {}

  /** See {@link MapStream#resilient}. */
  static Flux<MapEvent> events(Path pin, OpenMode openMode, Function<BpfMap, MapStream> build,
      Duration minBackoff, Duration maxBackoff, Consumer<Throwable> onError) {
    MapSelector selector = MapSelector.pin(pin);
    Scheduler io = Schedulers.boundedElastic();
    return Flux.usingWhen(Mono.fromCallable(() -> Opened.open(selector, openMode, build)).subscribeOn(io),
            o -> o.stream.events().takeUntilOther(Replaced.watch(selector, o.mapId, Duration.ofSeconds(5), io)),
            Opened::close, (o, e) -> o.close(), Opened::close)
        .doOnError(onError)
        .retryWhen(Backoff.spec(minBackoff, maxBackoff, io).filter(Backoff::isTransient));
  }

  /** A map and its stream, for {@link #events}: closed together once the stream is idle. */
  private record Opened(BpfMap map, MapStream stream, int mapId) {
    static Opened open(MapSelector selector, OpenMode mode, Function<BpfMap, MapStream> build) {
      BpfMap map = selector.open(mode);
      try {
        return new Opened(map, build.apply(map), map.info().id());
      } catch (RuntimeException e) {
        map.close();
        throw e;
      }
    }

    Mono<Void> close() {
      return stream.idle().then(Mono.fromRunnable(() -> {
        stream.close();
        map.close();
      }));
    }
  }
}
