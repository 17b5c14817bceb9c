package io.bpfmap.core.stream;

import io.bpfmap.core.testing.Await;
import static io.bpfmap.core.stream.StreamFixture.INTERVAL;
import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static io.bpfmap.core.stream.StreamFixture.key;
import static io.bpfmap.core.stream.StreamFixture.uid;
import static io.bpfmap.core.stream.StreamFixture.value;
import static io.bpfmap.core.stream.StreamFixture.visible;
import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** SNAPSHOT, CHANGES, masks, sharing, fallback and errors, on real maps. */
@KernelTest
class MapStreamTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static Map<Long, Map<String, Object>> upserts(Collection<MapEvent> events) {
    Map<Long, Map<String, Object>> out = new HashMap<>();
    for (MapEvent e : events) {
      if (e.kind() == Kind.UPSERT) {
        assertThat(out.put(uid(e), e.value())).as("key %d twice in one cycle", uid(e)).isNull();
      }
    }
    return out;
  }

  private static Map<Long, Map<String, Object>> expected(int n) {
    Map<Long, Map<String, Object>> out = new HashMap<>();
    for (long i = 0; i < n; i++) {
      out.put(i, visible(i, i * 100));
    }
    return out;
  }

  @ParameterizedTest(name = "batch lookup {0}")
  @ValueSource(booleans = {true, false})
  void snapshotEmitsEveryEntryEachCycle(boolean batch) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_stream", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = StreamFixture.stream(map, vts).batchSize(128).batchLookup(batch).build();
      StepVerifier.create(stream.events())
          .recordWith(ArrayList::new)
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
          .consumeRecordedWith(events -> assertThat(upserts(events)).isEqualTo(expected(1000)))
          .assertNext(e -> assertThat(e).extracting(MapEvent::kind, MapEvent::cycle, MapEvent::entriesRead)
              .containsExactly(Kind.CYCLE_END, 1L, 1000L))
          .then(() -> StreamFixture.nextCycle(vts, stream))
          .recordWith(ArrayList::new)
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
          .consumeRecordedWith(events -> {
            assertThat(upserts(events)).isEqualTo(expected(1000));
            assertThat(events).allSatisfy(e -> assertThat(e.cycle()).isEqualTo(2));
          })
          .assertNext(e -> assertThat(e.cycle()).isEqualTo(2))
          .thenCancel()
          .verify(TIMEOUT);
      assertThat(stream.stats().cycles()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "batch lookup {0}")
  @ValueSource(booleans = {true, false})
  void changesEmitsExactlyTheChangedEntriesAndADeleteForEachRemovedKey(boolean batch) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_changes", 2000)) {
      StreamFixture.fill(map, 500);
      ParsedMap parsed = map.parsed(KEY, VALUE);
      MapStream stream = StreamFixture.stream(map, vts).mode(Mode.CHANGES).batchSize(64).batchLookup(batch).build();
      StepVerifier.create(stream.events())
          .recordWith(ArrayList::new)
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
          .consumeRecordedWith(events -> assertThat(upserts(events)).isEqualTo(expected(500)))
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END)
          .then(() -> {
            parsed.update(key(3), value(3, 999));
            parsed.update(key(4), value(40, 400));
            parsed.update(key(5), value(5, 500));              // the same value: not a change
            Map<String, Object> hiddenOnly = new HashMap<>(value(6, 600));
            hiddenOnly.put("secret", 1L);                      // only a hidden field changes
            parsed.update(key(6), hiddenOnly);
            parsed.delete(key(7));
            parsed.delete(key(8));
            parsed.update(key(1000), value(1, 2));
            StreamFixture.nextCycle(vts, stream);
          })
          .recordWith(ArrayList::new)
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
          .consumeRecordedWith(events -> {
            assertThat(upserts(events)).isEqualTo(Map.of(3L, visible(3, 999), 4L, visible(40, 400), 1000L, visible(1, 2)));
            assertThat(events.stream().filter(e -> e.kind() == Kind.DELETE).map(StreamFixture::uid))
                .containsExactlyInAnyOrder(7L, 8L);
            assertThat(events.stream().filter(e -> e.kind() == Kind.DELETE)).allSatisfy(e -> assertThat(e.value()).isNull());
          })
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END && e.cycle() == 2)
          .then(() -> StreamFixture.nextCycle(vts, stream))
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END && e.cycle() == 3)
          .thenCancel()
          .verify(TIMEOUT);
      assertThat(stream.changeStateKeys()).isEqualTo(499);
    }
  }

  @Test
  void maskedFieldsAreAbsentFromEveryEvent() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_mask", 200)) {
      StreamFixture.fill(map, 100);
      MapStream stream = StreamFixture.stream(map, vts).build();
      StepVerifier.create(stream.events())
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END, e -> {
            assertThat(e.value().get("secret")).isNull();
            byte[] raw = e.rawValue().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertThat(raw).hasSize(64);
            assertThat(java.util.Arrays.copyOfRange(raw, 16, 64)).containsOnly(0);
            assertThat(e.toString()).doesNotContain(Long.toString(StreamFixture.SECRET));
          })
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END)
          .thenCancel()
          .verify(TIMEOUT);
    }
  }

  @Test
  void severalSubscribersShareOneRead() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_share", 600)) {
      StreamFixture.fill(map, 300);
      MapStream stream = StreamFixture.stream(map, vts).build();
      List<CycleReport> reports = new CopyOnWriteArrayList<>();
      stream.stats().onCycle(reports::add);
      List<MapEvent> a = new CopyOnWriteArrayList<>();
      List<MapEvent> b = new CopyOnWriteArrayList<>();
      Disposable da = stream.events().filter(e -> e.cycle() == 2).subscribe(a::add);
      Disposable db = stream.events().filter(e -> e.cycle() == 2).subscribe(b::add);
      try {
        Await.until(() -> reports.size() >= 1);
        StreamFixture.nextCycle(vts, stream);
        Await.until(() -> a.size() == 301 && b.size() == 301);
        assertThat(upserts(a)).isEqualTo(expected(300)).isEqualTo(upserts(b));
        assertThat(reports.get(1).entriesRead()).as("one read for both").isEqualTo(300);
      } finally {
        da.dispose();
        db.dispose();
      }
    }
  }

  @Test
  void theFirstCycleWaitsForEverySinkWhenAsked() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_sinks", 100)) {
      StreamFixture.fill(map, 10);
      MapStream stream = StreamFixture.stream(map, vts).mode(Mode.CHANGES).subscribers(2).build();
      List<MapEvent> a = new CopyOnWriteArrayList<>();
      List<MapEvent> b = new CopyOnWriteArrayList<>();
      Disposable da = stream.events().subscribe(a::add);
      try {
        vts.advanceTimeBy(INTERVAL.multipliedBy(3));
        assertThat(stream.stats().entriesRead()).as("no read before the second sink").isZero();
        Disposable db = stream.events().subscribe(b::add);
        try {
          Await.until(() -> a.size() == 11 && b.size() == 11);
          assertThat(upserts(a)).isEqualTo(upserts(b)).hasSize(10);
        } finally {
          db.dispose();
        }
      } finally {
        da.dispose();
      }
    }
  }

  @Test
  void aMapClosedMidStreamEndsTheFluxWithATypedError(io.bpfmap.core.testing.PinDir dir) throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    BpfMap map = StreamFixture.hash("t_gone", 100);
    StreamFixture.fill(map, 10);
    map.pin(dir.resolve("gone"));
    MapStream stream = StreamFixture.stream(map, vts).build();
    // a listener that throws is skipped: the subscriber still gets the stream's own error
    stream.stats().onError(e -> {
      throw new IllegalStateException("a listener's own bug");
    });
    StepVerifier.create(stream.events())
        .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
        .expectNextMatches(e -> e.kind() == Kind.CYCLE_END)
        .then(() -> {
          try {
            java.nio.file.Files.delete(dir.resolve("gone"));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          map.close();
          StreamFixture.nextCycle(vts, stream);
        })
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BpfException.class)
            .hasMessage("batch lookup on map 't_gone': the map is closed"))
        .verify(TIMEOUT);
    assertThat(stream.stats().errors()).isEqualTo(1);
    assertThat(stream.stats().lastError()).hasMessageContaining("t_gone");
  }

  @Test
  void builderRefusesWhatCannotWork() {
    try (BpfMap map = StreamFixture.hash("t_build", 10)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MapStream.builder(map).build())
          .hasMessage("parse on map 't_build': the map has no BTF for its keys: give a key layout");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MapStream.builder(map).keyLayout(KEY)
              .valueLayout(io.bpfmap.core.record.RecordLayout.parse("=Q")).build())
          .hasMessage("parse on map 't_build': the value layout is 8 bytes, the map's values are 64 bytes");
      // refused by the setter, before build() allocates the stream's native buffers
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MapStream.builder(map).prefetch(0))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("prefetch must be at least 1, got 0");
    }
  }

}
