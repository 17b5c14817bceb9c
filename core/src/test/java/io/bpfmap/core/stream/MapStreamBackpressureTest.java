package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapNotFoundException;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/** A slow subscriber slows the engine instead of filling memory; daemons reopen with backoff. */
@KernelTest
class MapStreamBackpressureTest {
  /** DRAIN reads the next batch ahead, but never past what the subscriber requested. */
  @Test
  void drainTakesOutOfTheKernelOnlyWhatTheSubscriberRequested() {
    try (BpfMap map = StreamFixture.hash("t_drain_ahead", 4096)) {
      StreamFixture.fill(map, 3000);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN).batchSize(100)
          .build();
      StepVerifier.create(stream.events(), 150)
          .expectNextCount(150)
          .thenAwait(Duration.ofMillis(300))
          .then(() -> assertThat(map.entries()).as("left in the map after 150 requested").hasSize(3000 - 150))
          .thenRequest(250)
          .expectNextCount(250)
          .thenAwait(Duration.ofMillis(300))
          .then(() -> assertThat(map.entries()).as("left in the map after 400 requested").hasSize(3000 - 400))
          .thenCancel()
          .verify(Duration.ofSeconds(30));
      stream.idle().block(Duration.ofSeconds(30));
      assertThat(map.entries()).as("left in the map after cancel").hasSize(3000 - 400);
      stream.close();
    }
  }

  @Test
  void aSubscriberTakingOneEventAtATimeKeepsTheEngineWithinOneBatch() {
    int batch = 4096;
    int prefetch = 256;
    try (BpfMap map = StreamFixture.hash("t_slow", 100_000)) {
      StreamFixture.fill(map, 20_000);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).batchSize(batch)
          .prefetch(prefetch).interval(Duration.ofMillis(50)).build();
      StepVerifier.Step<MapEvent> verifier = StepVerifier.create(stream.events(), 0).expectSubscription();
      for (int i = 0; i < 10; i++) {
        verifier = verifier.thenRequest(1).expectNextCount(1).thenAwait(Duration.ofMillis(100));
      }
      verifier.then(() -> {
        assertThat(stream.stats().entriesRead()).as("entries read from the kernel").isLessThanOrEqualTo(batch);
        assertThat(stream.stats().eventsEmitted()).as("events made ahead of the subscriber")
            .isLessThanOrEqualTo(10 + prefetch);
        assertThat(stream.stats().cycles()).as("the first cycle is still open").isZero();
        assertThat(stream.stats().skippedTicks()).as("ticks dropped, not queued").isGreaterThan(5);
      }).thenCancel().verify(Duration.ofSeconds(30));
    }
  }

  @Test
  void resilientStreamWaitsForAMissingPinAndReopensIt(PinDir dir) throws Exception {
    Path pin = dir.resolve("later");
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<MapEvent> events = new CopyOnWriteArrayList<>();
    Disposable sub = MapStream.resilient(pin, OpenMode.READ_ONLY,
            map -> MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).interval(Duration.ofMillis(100)).build(),
            Duration.ofMillis(20), Duration.ofMillis(200), failures::add)
        .subscribe(events::add);
    try {
      Await.until(() -> failures.size() >= 2);
      assertThat(failures).allSatisfy(f -> assertThat(f).isInstanceOf(MapNotFoundException.class)
          .hasMessage("open pin " + pin + ": ENOENT (No such file or directory): nothing is pinned there"));
      try (BpfMap map = StreamFixture.hash("t_later", 10)) {
        StreamFixture.fill(map, 3);
        map.pin(pin);
      }
      Await.until(() -> events.stream().anyMatch(e -> e.kind() == Kind.CYCLE_END));
      assertThat(events.stream().filter(e -> e.kind() == Kind.UPSERT).map(StreamFixture::uid).distinct())
          .containsExactlyInAnyOrder(0L, 1L, 2L);
    } finally {
      sub.dispose();
    }
  }
}
