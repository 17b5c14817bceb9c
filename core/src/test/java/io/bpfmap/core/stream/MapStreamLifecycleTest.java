package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapFlags;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A stream owns its native memory and its CHANGES state; cancel and close never block. */
@KernelTest
class MapStreamLifecycleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void closeEndsTheSubscribersAndFreesTheBuffersOnceTheRunningCycleSettles() throws Exception {
    try (BpfMap map = StreamFixture.hash("t_close", 4096)) {
      StreamFixture.fill(map, 3000);
      // DRAIN: no sharing operator in between, so the subscriber's onNext runs inside the cycle.
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN).batchSize(256)
          .build();
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch completed = new CountDownLatch(1);
      Disposable sub = stream.events().subscribe(e -> {
        inside.countDown();
        await(release);
      }, error -> { }, completed::countDown);
      try {
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        stream.close();
        assertThat(stream.isFreed()).as("a cycle is still emitting: its buffers stay until it settles").isFalse();
        release.countDown();
        stream.idle().block(TIMEOUT);
        assertThat(stream.isFreed()).isTrue();
        assertThat(completed.await(30, TimeUnit.SECONDS)).as("subscribers complete").isTrue();
        StepVerifier.create(stream.events()).expectComplete().verify(TIMEOUT);
      } finally {
        sub.dispose();
      }
    }
  }

  @Test
  void closingAStreamNeverSubscribedFreesAtOnce() {
    try (BpfMap map = StreamFixture.hash("t_close", 16)) {
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).build();
      stream.close();
      assertThat(stream.isFreed()).isTrue();
      stream.close();
      assertThat(stream.idle().block(TIMEOUT)).isNull();
    }
  }

  /**
   * The subscriber is stuck inside onNext when another thread cancels: cancel returns at once (it
   * used to spin until the cycle settled), and once onNext returns the cycle settles on its own,
   * putting back exactly the entries it took and did not deliver.
   */
  @Test
  void cancelReturnsWhileACycleIsEmittingAndDrainGivesBackExactlyWhatItDidNotDeliver() throws Exception {
    int total = 3000;
    try (BpfMap map = StreamFixture.hash("t_cancel", 4096)) {
      StreamFixture.fill(map, total);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN)
          .batchSize(1024).build();
      Set<Long> delivered = ConcurrentHashMap.newKeySet();
      CountDownLatch tenth = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Disposable sub = stream.events().filter(e -> e.kind() == Kind.UPSERT).subscribe(e -> {
        delivered.add(StreamFixture.uid(e));
        if (delivered.size() == 10) {
          tenth.countDown();
          await(release);
        }
      });
      assertThat(tenth.await(30, TimeUnit.SECONDS)).isTrue();
      Thread canceller = Thread.ofPlatform().start(sub::dispose);
      canceller.join(20_000);
      boolean returnedWhileStuck = !canceller.isAlive();
      release.countDown();
      stream.idle().block(TIMEOUT);
      assertThat(returnedWhileStuck).as("cancel returned while onNext was still running").isTrue();
      assertThat(delivered).hasSize(10);
      assertThat(stream.stats().drainConflicts()).isZero();
      assertThat(map.entries()).as("entries taken but not delivered are back").hasSize(total - 10);
      stream.close();
    }
  }

  /** A 16M-entry NO_PREALLOC map with 1 000 live keys: the state is sized by the 1 000. */
  @ParameterizedTest(name = "key size {0}")
  @ValueSource(ints = {40, 64})
  void changesStateFollowsTheLiveEntriesNotMaxEntries(int keySize) {
    RecordLayout key = RecordLayout.parse("[[\"id\",\"Q\"],[\"rest\",\"" + (keySize - 8) + "s\"]]");
    RecordLayout value = RecordLayout.parse("[[\"n\",\"Q\"]]");
    long heapBefore = usedHeapAfterGc();
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_huge", keySize, 8, 16_000_000)
        .withFlags(MapFlags.NO_PREALLOC))) {
      var parsed = map.parsed(key, value);
      for (long i = 0; i < 1000; i++) {
        parsed.update(Map.of("id", i, "rest", new byte[keySize - 8]), Map.of("n", i * 3));
      }
      try (MapStream stream = MapStream.builder(map).keyLayout(key).valueLayout(value).mode(Mode.CHANGES)
          .interval(Duration.ofHours(1)).build()) {
        Map<Long, Long> seen = new HashMap<>();
        stream.events().takeUntil(e -> e.kind() == Kind.CYCLE_END).filter(e -> e.kind() == Kind.UPSERT)
            .doOnNext(e -> seen.put((Long) e.key().get("id"), (Long) e.value().get("n"))).blockLast(TIMEOUT);
        assertThat(seen).hasSize(1000).containsEntry(999L, 2997L);
        assertThat(stream.changeStateKeys()).isEqualTo(1000);
        assertThat(stream.changeStateBytes()).as("state bytes for 1 000 keys of %d bytes", keySize)
            .isLessThanOrEqualTo(1000L * 2 * (32 + keySize));
        assertThat(usedHeapAfterGc() - heapBefore).as("heap the stream added").isLessThan(64L << 20);
      }
    }
  }

  @Test
  void perCpuDrainIsRefusedUnderThePerCpuPolicy() {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_pcpu_drain", 16, 64, 16))) {
      assertThatThrownBy(() -> MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN)
          .perCpu(PerCpuPolicy.PER_CPU).build())
          .hasMessage("stream on map 't_pcpu_drain': DRAIN takes each entry once, with all its CPUs' values: use "
              + "the per-CPU policy SUM, MIN or MAX (one event per entry), not PER_CPU");
      MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN).perCpu(PerCpuPolicy.SUM).build()
          .close();
    }
  }

  /** A sink that lost an event asks for its key again: the next cycle re-sends it, or deletes it. */
  @Test
  void aResyncedKeyIsEmittedAgainInTheNextCycleOrDeletedWhenGone() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_resync", 64)) {
      StreamFixture.fill(map, 5);
      MapStream stream = StreamFixture.stream(map, vts).mode(Mode.CHANGES).build();
      AtomicReference<MapEvent> one = new AtomicReference<>();
      AtomicReference<MapEvent> two = new AtomicReference<>();
      StepVerifier.create(stream.events())
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END, e -> {
            if (StreamFixture.uid(e) == 1) {
              one.set(e);
            } else if (StreamFixture.uid(e) == 2) {
              two.set(e);
            }
          })
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END)
          .then(() -> {
            stream.resync(one.get());
            stream.resync(two.get());
            map.parsed(KEY, VALUE).delete(StreamFixture.key(2));
            StreamFixture.nextCycle(vts, stream);
          })
          .assertNext(e -> assertThat(List.of(e.kind(), StreamFixture.uid(e))).isIn(
              List.of(Kind.UPSERT, 1L), List.of(Kind.DELETE, 2L)))
          .assertNext(e -> assertThat(List.of(e.kind(), StreamFixture.uid(e))).isIn(
              List.of(Kind.UPSERT, 1L), List.of(Kind.DELETE, 2L)))
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END && e.cycle() == 2)
          .thenCancel()
          .verify(TIMEOUT);
      stream.close();
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Waits for the test to release it, as a subscriber busy in onNext would, not returning early
   * when interrupted (a cancel through subscribeOn interrupts the thread it runs on).
   */
  private static void await(CountDownLatch latch) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (latch.getCount() > 0 && System.nanoTime() < deadline) {
      try {
        latch.await(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
