package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.BpfProgram;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.test.StepVerifier;

/** A real program's ring buffer and perf event array as a Flux, with demand, loss and masks. */
@KernelTest
class EventStreamTest {
  private static final byte[] PACKET = new byte[64];
  private static final PermissionMask HIDE_SECRET = PermissionMask.parse("{\"*\": \"R\", \"secret\": \"X\"}");

  @Test
  void everyEventOnceInOrderDecodedByBtfWithTheMaskedFieldInNone() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = stream(obj, "events")) {
      obj.program("ring_emit").testRun(PACKET, 2000);
      List<MapEvent> got = s.events().take(2000).collectList().block(Duration.ofSeconds(30));
      assertThat(got).extracting(e -> ((Number) e.value().get("seq")).longValue())
          .containsExactlyElementsOf(LongStream.range(0, 2000).boxed().toList());
      assertThat(got).extracting(MapEvent::cycle).containsExactlyElementsOf(LongStream.rangeClosed(1, 2000)
          .boxed().toList());
      assertThat(got).allSatisfy(e -> {
        assertThat(e.kind()).isEqualTo(MapEvent.Kind.EVENT);
        assertThat(e.map()).isEqualTo("events");
        assertThat(e.key()).isNull();
        assertThat(e.value()).containsEntry("secret", null).containsKey("cpu");
        // struct event { u64 seq; u32 cpu; u32 secret; char tag[8]; }: the secret's bytes are zeroed
        assertThat(e.rawValue().asSlice(12, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
      });
      assertThat(s.stats().eventsEmitted()).isEqualTo(2000);
    }
  }

  @Test
  void aSlowSubscriberLeavesRecordsInTheKernelWhichDropsAndTheCountSaysHowMany() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = EventStream.builder(obj.map("events")).valueLayout(layout(obj)).mask(HIDE_SECRET)
            .lostCounter(obj.map("ring_lost")).prefetch(1).build()) {
      BpfProgram emit = obj.program("ring_emit");
      StepVerifier.create(s.events(), 10)
          .then(() -> emit.testRun(PACKET, 10))
          .expectNextCount(10)
          // no demand (the sharing operator holds at most one record ahead): 20 000 more records fill
          // the 8191-record ring, and the program counts the rest as lost
          .then(() -> emit.testRun(PACKET, 20_000))
          .expectNoEvent(Duration.ofMillis(300))
          .then(() -> assertThat(s.lost()).isBetween(20_000L - 8191 - 1, 20_000L - 8191))
          .thenRequest(Long.MAX_VALUE)
          .thenConsumeWhile(e -> e.cycle() < 20_010 - s.lost())
          .expectNextMatches(e -> e.cycle() == 20_010 - s.lost())
          .then(s::close)
          .verifyComplete();
      assertThat(s.stats().entriesRead() + s.lost()).as("every record is read or counted lost").isEqualTo(20_010);
    }
  }

  @Test
  void perfEventArraysStreamTooAndTheKernelCountsWhatItLost() throws InterruptedException {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = EventStream.builder(obj.map("perf_events")).valueLayout(layout(obj)).perfPages(1)
            .mask(HIDE_SECRET).build()) {
      BpfProgram emit = obj.program("perf_emit");
      List<MapEvent> got = new java.util.concurrent.CopyOnWriteArrayList<>();
      BaseSubscriber<MapEvent> sub = new BaseSubscriber<>() {
        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
          // no demand yet: the samples wait in the kernel's one-page rings, which overflow
        }

        @Override
        protected void hookOnNext(MapEvent e) {
          got.add(e);
        }
      };
      s.events().subscribe(sub);
      emit.testRun(PACKET, 3000);
      sub.request(Long.MAX_VALUE);
      int more = BpfPrograms.untilEveryLossReported(emit, () -> got.size() + s.lost(), 3000);
      sub.dispose();
      assertThat(s.lost()).isPositive();
      assertThat(got.size() + s.lost()).isEqualTo(3000 + more);
      assertThat(got).allSatisfy(e -> assertThat(e.value()).containsEntry("secret", null));
    }
  }

  @Test
  void subscribersShareEveryEventAndTheThreadEndsWithTheLastOne() throws InterruptedException {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = EventStream.builder(obj.map("events")).valueLayout(layout(obj)).subscribers(2).build()) {
      obj.program("ring_emit").testRun(PACKET, 100);
      List<MapEvent> a = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<MapEvent> b = new java.util.concurrent.CopyOnWriteArrayList<>();
      Disposable first = s.events().subscribe(a::add);
      Thread.sleep(200);
      assertThat(a).as("the first read waits for the second subscriber").isEmpty();
      Disposable second = s.events().subscribe(b::add);
      for (int i = 0; i < 100 && (a.size() < 100 || b.size() < 100); i++) {
        Thread.sleep(20);
      }
      assertThat(a).hasSize(100).isEqualTo(b);
      first.dispose();
      assertThat(threads()).isOne();
      second.dispose();
      for (int i = 0; i < 100 && threads() > 0; i++) {
        Thread.sleep(50);
      }
      assertThat(threads()).isZero();
    }
  }

  @Test
  void batchesHoldEveryRecordOnceInOrderMaskedAndTheRingHasOneReader() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = EventStream.builder(obj.map("events")).valueLayout(layout(obj)).mask(HIDE_SECRET).batchSize(700)
            .build()) {
      obj.program("ring_emit").testRun(PACKET, 5000);
      List<EventBatch> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
      Disposable sub = s.batches().subscribe(batches::add);
      StepVerifier.create(s.events()).expectErrorMessage("stream on map 'events': the ring is already read through "
          + "batches(): a ring has one reader").verify(Duration.ofSeconds(10));
      for (int i = 0; i < 100 && batches.stream().mapToInt(EventBatch::size).sum() < 5000; i++) {
        sleep(20);
      }
      sub.dispose();
      assertThat(batches).allSatisfy(b -> assertThat(b.size()).isBetween(1, 700));
      List<MapEvent> all = batches.stream().flatMap(b -> java.util.stream.StreamSupport.stream(b.spliterator(), false))
          .toList();
      assertThat(all).extracting(e -> ((Number) e.value().get("seq")).longValue())
          .containsExactlyElementsOf(LongStream.range(0, 5000).boxed().toList());
      assertThat(all).extracting(MapEvent::cycle).containsExactlyElementsOf(LongStream.rangeClosed(1, 5000).boxed()
          .toList());
      EventBatch first = batches.getFirst();
      assertThat(first.record(0).byteSize()).isEqualTo(24);
      assertThat(first.record(0).asSlice(12, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsOnly(0);
      assertThat(all).allSatisfy(e -> assertThat(e.value()).containsEntry("secret", null));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.record(first.size()))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void viewsHandRecordsInPlaceAndTheRingFillsUntilTheyAreReleased() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = EventStream.builder(obj.map("events")).valueLayout(layout(obj)).batchSize(1000)
            .lostCounter(obj.map("ring_lost")).build()) {
      BpfProgram emit = obj.program("ring_emit");
      List<EventBatch> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      Disposable sub = s.views().subscribe(held::add);
      emit.testRun(PACKET, 8191);
      for (int i = 0; i < 100 && held.stream().mapToInt(EventBatch::size).sum() < 8191; i++) {
        sleep(20);
      }
      List<Long> seqs = new java.util.ArrayList<>();
      for (EventBatch b : held) {
        for (int i = 0; i < b.size(); i++) {
          seqs.add(b.record(i).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
      }
      assertThat(seqs).containsExactlyElementsOf(LongStream.range(0, 8191).boxed().toList());
      // nothing released: the ring is still full, and the program's next records are lost
      emit.testRun(PACKET, 100);
      assertThat(s.lost()).isEqualTo(100);
      // releasing in any order frees the space once every earlier view is released
      held.getLast().release();
      emit.testRun(PACKET, 10);
      assertThat(s.lost()).isEqualTo(110);
      held.forEach(EventBatch::release);
      held.clear();
      emit.testRun(PACKET, 10);
      for (int i = 0; i < 100 && held.stream().mapToInt(EventBatch::size).sum() < 10; i++) {
        sleep(20);
      }
      assertThat(s.lost()).isEqualTo(110);
      assertThat(held.stream().mapToInt(EventBatch::size).sum()).isEqualTo(10);
      assertThat(held.getFirst().event(0).cycle()).isEqualTo(8192);
      sub.dispose();
    }
  }

  @Test
  void viewsNeedARingBufferAndAMaskThatHidesNothing() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream masked = stream(obj, "events");
        EventStream perf = EventStream.builder(obj.map("perf_events")).valueLayout(layout(obj)).build()) {
      StepVerifier.create(masked.views()).expectErrorMessage("stream on map 'events': views() hands records in "
          + "place, where hidden fields cannot be zeroed: with a mask that hides fields, use batches()")
          .verify(Duration.ofSeconds(10));
      StepVerifier.create(perf.views()).expectErrorMessage("stream on map 'perf_events': views() reads ring buffers "
          + "in place: a PERF_EVENT_ARRAY's records are copied (use batches())").verify(Duration.ofSeconds(10));
    }
  }

  /** A layout that is not what the program writes: records too short are skipped, too long said; once each. */
  @Test
  void recordsOfAnotherSizeThanTheLayoutAreSaidOnceAndShortOnesCounted() {
    RecordLayout longer = RecordLayout.parse("[[\"a\",\"Q\"],[\"b\",\"Q\"],[\"c\",\"Q\"],[\"d\",\"Q\"]]");
    RecordLayout shorter = RecordLayout.parse("[[\"seq\",\"Q\"]]");
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        io.bpfmap.core.testing.LogCapture log = io.bpfmap.core.testing.LogCapture.of(EventStream.class)) {
      try (EventStream s = EventStream.builder(obj.map("events")).name("wrong").valueLayout(longer).build()) {
        obj.program("ring_emit").testRun(PACKET, 50);
        Disposable sub = s.events().subscribe();
        for (int i = 0; i < 100 && s.malformed() < 50; i++) {
          sleep(20);
        }
        sub.dispose();
        assertThat(s.malformed()).isEqualTo(50);
        assertThat(s.stats().eventsEmitted()).isZero();
      }
      try (EventStream s = EventStream.builder(obj.map("events")).name("prefix").valueLayout(shorter).build()) {
        obj.program("ring_emit").testRun(PACKET, 5);
        assertThat(s.views().take(1).blockFirst(Duration.ofSeconds(10)).size()).isEqualTo(5);
        assertThat(s.malformed()).isZero();
      }
      assertThat(log.lines()).containsExactly(
          "WARN ring 'wrong': a record of 24 bytes is shorter than its layout (32 bytes): such records are skipped "
              + "and counted in bpfmap_events_malformed_total; check the ring's layout",
          "WARN ring 'prefix': a record of 24 bytes is longer than its layout (8 bytes): it is decoded from its "
              + "start; if the program writes another type, check the ring's layout");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An idle stream sleeps in epoll_wait: its thread uses (next to) no CPU while no record comes. */
  @Test
  void anIdleStreamUsesNoCpu() throws InterruptedException {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = stream(obj, "events")) {
      Disposable sub = s.events().subscribe();
      Thread.sleep(200);
      long id = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("bpfmap-events-"))
          .findFirst().orElseThrow().threadId();
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long before = threads.getThreadCpuTime(id);
      Thread.sleep(1500);
      long used = threads.getThreadCpuTime(id) - before;
      sub.dispose();
      // a loop that polled would use the whole 1.5 s; waking once a second to look at its flags costs microseconds
      assertThat(used).as("CPU ns over 1.5 s idle").isLessThan(50_000_000L);
    }
  }

  @Test
  void closeDeliversWhatWasTakenThenCompletes() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream s = stream(obj, "events")) {
      obj.program("ring_emit").testRun(PACKET, 3);
      StepVerifier.create(s.events()).expectNextCount(3).then(s::close).verifyComplete();
      StepVerifier.create(s.events()).as("a closed stream completes at once").verifyComplete();
    }
  }

  @Test
  void onlyRingsAndARecordLayoutMakeAStream() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      BpfMap counters = obj.map("counters");
      assertThatThrownBy(() -> EventStream.builder(counters).valueLayout(layout(obj)).build())
          .hasMessage("stream on map 'counters': a ARRAY holds no events: events come from a RINGBUF or PERF_EVENT_ARRAY map");
      assertThatThrownBy(() -> EventStream.builder(obj.map("events")).build())
          .hasMessage("stream on map 'events': an event stream needs the layout of its records (a ring has no BTF type for "
              + "them)");
    }
  }

  private static EventStream stream(BpfObject obj, String ring) {
    return EventStream.builder(obj.map(ring)).valueLayout(layout(obj)).mask(HIDE_SECRET)
        .lostCounter(obj.map("ring_lost")).build();
  }

  private static RecordLayout layout(BpfObject obj) {
    return obj.layout("struct event");
  }

  private static long threads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("bpfmap-events-")).count();
  }
}
