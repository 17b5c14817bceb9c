package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfPermissionException;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.stream.MapSupervisor.State;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.LogCapture;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One supervisor per map: it follows the pin, retries what may pass, reports what will not. */
@KernelTest
class MapSupervisorTest {
  private static final Duration FAST = Duration.ofMillis(50);

  /** Sinks for tests: the latest packets value per uid, and the order of the lifecycle calls. */
  private static final class Recorder implements MapSupervisor.Attachment {
    final Map<Long, Long> packets;
    final List<String> calls;
    final Sinks.Empty<Void> settle = Sinks.empty();
    final boolean holdSettle;
    BpfMap map;
    MapStream stream;
    Disposable sub;

    Recorder(MapStream stream, Map<Long, Long> packets, List<String> calls, boolean holdSettle) {
      this.stream = stream;
      this.packets = packets;
      this.calls = calls;
      this.holdSettle = holdSettle;
      this.sub = stream.events().filter(e -> e.kind() == Kind.UPSERT)
          .subscribe(e -> packets.put(StreamFixture.uid(e), (Long) e.value().get("packets")));
    }

    @Override
    public void stopTaking() {
      calls.add("stopTaking");
      sub.dispose();
    }

    @Override
    public Mono<Void> settled() {
      calls.add("settled?");
      return holdSettle ? settle.asMono().doOnSuccess(v -> calls.add("settled")) : Mono.empty();
    }

    @Override
    public void close() {
      calls.add("close" + (map == null ? "" : ", map closed " + map.isClosed()));
    }
  }

  private static BpfMap map(String name, long packetsBase, int n) {
    BpfMap m = StreamFixture.hash(name, 64);
    var parsed = m.parsed(KEY, VALUE);
    for (long i = 0; i < n; i++) {
      parsed.update(StreamFixture.key(i), StreamFixture.value(packetsBase + i, 0));
    }
    return m;
  }

  private static void replace(Path pin, BpfMap by) throws Exception {
    Files.delete(pin);
    by.pin(pin);
  }

  private static MapSupervisor.Builder supervisor(Path pin, Map<Long, Long> packets, List<String> calls,
      List<String> threads) {
    return MapSupervisor.builder("flows", MapSelector.pin(pin)).backoff(FAST, Duration.ofMillis(200)).follow(FAST)
        .stream(m -> {
          threads.add(Thread.currentThread().getName());
          return MapStream.builder(m).keyLayout(KEY).valueLayout(StreamFixture.VALUE).interval(FAST).build();
        })
        .attach(s -> new Recorder(s, packets, calls, false));
  }

  @Test
  void followsAMapReplacedAtItsPinAndLogsTheSwitch(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    Map<Long, Long> packets = new ConcurrentHashMap<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (LogCapture log = LogCapture.of(MapSupervisor.class); BpfMap first = map("t_first", 100, 3)) {
      first.pin(pin);
      MapSupervisor sup = supervisor(pin, packets, new CopyOnWriteArrayList<>(), threads).build();
      sup.start();
      try {
        Await.until(() -> packets.size() == 3);
        assertThat(sup.status().state()).isEqualTo(State.UP);
        assertThat(sup.status().mapId()).isEqualTo(first.info().id());
        try (BpfMap second = map("t_second", 200, 3)) {
          replace(pin, second);
          Await.until(() -> Long.valueOf(200).equals(packets.get(0L)));
          assertThat(packets).containsEntry(1L, 201L).containsEntry(2L, 202L);
          assertThat(sup.status().mapId()).isEqualTo(second.info().id());
          assertThat(sup.status().state()).isEqualTo(State.UP);
          assertThat(sup.status().restarts()).isPositive();
          String switched = "INFO map 'flows': " + pin + " now finds map id " + second.info().id() + " (was "
              + first.info().id() + "): the map was re-created; reopening";
          String gone = "WARN map 'flows' failed: open pin " + pin;
          assertThat(log.lines()).as("the switch is logged").anyMatch(l -> l.equals(switched) || l.startsWith(gone));
          assertThat(log.lines()).anyMatch(l -> l.equals("INFO map 'flows' is back (map id " + second.info().id() + ")"));
        }
      } finally {
        sup.close();
      }
      assertThat(sup.status().state()).isEqualTo(State.STOPPED);
      assertThat(threads).as("maps are opened on bounded elastic, never on parallel")
          .allSatisfy(t -> assertThat(t).doesNotStartWith("parallel-"));
    }
  }

  @Test
  void aPinThatGoesAwayIsReportedAndRetriedUntilAMapIsBack(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    Map<Long, Long> packets = new ConcurrentHashMap<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (BpfMap first = map("t_first", 100, 2)) {
      first.pin(pin);
      MapSupervisor sup = supervisor(pin, packets, new CopyOnWriteArrayList<>(), threads).build();
      sup.start();
      try {
        Await.until(() -> packets.size() == 2);
        Files.delete(pin);
        Await.until(() -> sup.status().state() == State.RETRYING && threads.size() == 1);
        assertThat(sup.status().reason()).isEqualTo("open pin " + pin
            + ": ENOENT (No such file or directory): nothing is pinned there");
        try (BpfMap second = map("t_second", 300, 2)) {
          second.pin(pin);
          Await.until(() -> Long.valueOf(300).equals(packets.get(0L)));
          assertThat(sup.status().state()).isEqualTo(State.UP);
        }
      } finally {
        sup.close();
      }
    }
  }

  @Test
  void aPermanentFailureIsReportedAndRetriedOnlyWhenThePinHoldsAnotherMap(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    Map<Long, Long> packets = new ConcurrentHashMap<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (LogCapture log = LogCapture.of(MapSupervisor.class); BpfMap good = map("t_good", 100, 2);
        BpfMap wrong = BpfMap.create(MapSpec.of(MapType.HASH, "t_wrong", 8, 64, 4))) {
      good.pin(pin);
      MapSupervisor sup = supervisor(pin, packets, new CopyOnWriteArrayList<>(), threads).build();
      sup.start();
      try {
        Await.until(() -> packets.size() == 2);
        replace(pin, wrong);
        Await.until(() -> sup.status().state() == State.FAILED);
        String reason = "parse on map 't_wrong': the key layout is 16 bytes, the map's keys are 8 bytes";
        assertThat(sup.status().reason()).isEqualTo(reason);
        int attempts = threads.size();
        Thread.sleep(20 * FAST.toMillis());
        assertThat(threads).as("not retried while the pin holds the same map").hasSize(attempts);
        assertThat(log.lines()).contains("ERROR map 'flows' failed for good: " + reason + "; retried when " + pin
            + " holds another map");
        try (BpfMap back = map("t_back", 500, 2)) {
          replace(pin, back);
          Await.until(() -> sup.status().state() == State.UP && Long.valueOf(500).equals(packets.get(0L)));
        }
      } finally {
        sup.close();
      }
    }
  }

  @Test
  void aPermanentFailureAtStartIsThrownAndATransientOneIsRetried(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    try (BpfMap wrong = BpfMap.create(MapSpec.of(MapType.HASH, "t_wrong", 8, 64, 4))) {
      wrong.pin(pin);
      MapSupervisor failing = supervisor(pin, new ConcurrentHashMap<>(), new CopyOnWriteArrayList<>(),
          new CopyOnWriteArrayList<>()).build();
      assertThatThrownBy(failing::start)
          .hasMessage("parse on map 't_wrong': the key layout is 16 bytes, the map's keys are 8 bytes");
      assertThat(failing.status().state()).isEqualTo(State.FAILED);
      failing.close();
    }
    Path later = dir.resolve("later");
    Map<Long, Long> packets = new ConcurrentHashMap<>();
    MapSupervisor sup = supervisor(later, packets, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()).build();
    sup.start();
    try {
      assertThat(sup.status().state()).isEqualTo(State.RETRYING);
      try (BpfMap map = map("t_later", 7, 1)) {
        map.pin(later);
        Await.until(() -> Long.valueOf(7).equals(packets.get(0L)));
      }
    } finally {
      sup.close();
    }
  }

  @Test
  void permissionErrorsAreNotRetried() {
    assertThat(Backoff.isTransient(new BpfPermissionException("open pin", "/x", 1, "no"))).isFalse();
    assertThat(Backoff.isTransient(new io.bpfmap.core.MapNotFoundException("open pin", "/x", 2, "gone"))).isTrue();
    assertThat(Backoff.isTransient(new io.bpfmap.core.BpfException("lookup", "map 'm'", 11, ""))).isTrue();
    assertThat(Backoff.isTransient(new IllegalStateException("a bug"))).isFalse();
  }

  /** A supervisor of the map at {@code pin} whose sinks settle when the test says: they are in {@code recorder}. */
  private static MapSupervisor holdingSettle(Path pin, List<String> calls, Recorder[] recorder, BpfMap[] opened,
      AtomicInteger built) {
    return MapSupervisor.builder("flows", MapSelector.pin(pin)).follow(Duration.ZERO)
        .stream(m -> {
          built.incrementAndGet();
          opened[0] = m;
          return MapStream.builder(m).keyLayout(KEY).valueLayout(VALUE).interval(FAST).build();
        })
        .attach(s -> {
          recorder[0] = new Recorder(s, new ConcurrentHashMap<>(), calls, true);
          recorder[0].map = opened[0];
          return recorder[0];
        })
        .build();
  }

  /** stop(): the sinks stop taking, settle, and only then close; the map closes after them. */
  @Test
  void stopLetsTheSinksSettleBeforeAnythingCloses(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    List<String> calls = new CopyOnWriteArrayList<>();
    AtomicInteger built = new AtomicInteger();
    Recorder[] recorder = new Recorder[1];
    BpfMap[] opened = new BpfMap[1];
    try (BpfMap map = map("t_stop", 1, 2)) {
      map.pin(pin);
      MapSupervisor sup = holdingSettle(pin, calls, recorder, opened, built);
      sup.start();
      try {
        Await.until(() -> recorder[0].packets.size() == 2);
        sup.stop();
        Await.until(() -> calls.contains("settled?"));
        Thread.sleep(200);
        assertThat(calls).containsExactly("stopTaking", "settled?");
        assertThat(sup.stopped().toFuture().isDone()).as("waits for the sinks to settle").isFalse();
        recorder[0].settle.tryEmitEmpty();
        sup.stopped().block(Duration.ofSeconds(30));
        assertThat(calls).containsExactly("stopTaking", "settled?", "settled", "close, map closed false");
        assertThat(recorder[0].stream.isFreed()).isTrue();
        assertThat(sup.status().state()).isEqualTo(State.STOPPED);
        assertThat(built).hasValue(1);
        assertThat(opened[0].isClosed()).as("the map closes last").isTrue();
      } finally {
        sup.close();
      }
    }
  }

  /** A sink that fails to settle still has its generation closed: its map, stream and sinks. */
  @Test
  void aSinkThatFailsToSettleStillHasEverythingClosed(PinDir dir) throws Exception {
    Path pin = dir.resolve("flows");
    List<String> calls = new CopyOnWriteArrayList<>();
    Recorder[] recorder = new Recorder[1];
    BpfMap[] opened = new BpfMap[1];
    try (BpfMap map = map("t_settle", 1, 2)) {
      map.pin(pin);
      MapSupervisor sup = holdingSettle(pin, calls, recorder, opened, new AtomicInteger());
      sup.start();
      try {
        Await.until(() -> recorder[0].packets.size() == 2);
        sup.stop();
        Await.until(() -> calls.contains("settled?"));
        recorder[0].settle.tryEmitError(new IllegalStateException("the broker said no"));
        Await.until(() -> calls.stream().anyMatch(c -> c.startsWith("close")));
        assertThat(recorder[0].stream.isFreed()).isTrue();
        assertThat(opened[0].isClosed()).isTrue();
      } finally {
        sup.close();
      }
    }
  }
}
