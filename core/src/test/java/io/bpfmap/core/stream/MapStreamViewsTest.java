package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** MapStream.views(): SNAPSHOT batches lent in place, on real maps. */
@KernelTest
class MapStreamViewsTest {
  private static final FieldAccessor UID = KEY.accessor("uid");
  private static final FieldAccessor PACKETS = VALUE.accessor("packets");
  private static final FieldAccessor SECRET = VALUE.accessor("secret");

  private static MapStream.Builder lending(BpfMap map, VirtualTimeScheduler vts) {
    return StreamFixture.stream(map, vts).mask(PermissionMask.readAll()).batchSize(128);
  }

  /** uid → packets of every entry of a batch, read in place with the layouts' accessors. */
  private static Map<Long, Long> entries(MapBatch b) {
    Map<Long, Long> out = new HashMap<>();
    for (int i = 0; i < b.size(); i++) {
      long uid = UID.getLong(b.keys(), b.keyOffset(i));
      assertThat(SECRET.getLong(b.values(), b.valueOffset(i))).isEqualTo(StreamFixture.SECRET);
      assertThat(out.put(uid, PACKETS.getLong(b.values(), b.valueOffset(i)))).as("uid %d twice", uid).isNull();
    }
    return out;
  }

  @Test
  void eachCycleLendsEveryEntryInPlaceThenABatchThatEndsIt() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = lending(map, vts).build();
      List<Map<Long, Long>> cycles = new CopyOnWriteArrayList<>();
      List<MapBatch> ends = new CopyOnWriteArrayList<>();
      Map<Long, Long> current = new HashMap<>();
      Disposable sub = stream.views().subscribe(b -> {
        if (b.endsCycle()) {
          cycles.add(Map.copyOf(current));
          current.clear();
          ends.add(b);
        } else {
          Map<Long, Long> got = entries(b);
          got.keySet().forEach(k -> assertThat(current).doesNotContainKey(k));
          current.putAll(got);
          assertThat(b.event(0).value()).containsEntry("packets", got.get(UID.getLong(b.key(0), 0)));
        }
        b.release();
      });
      Await.until(() -> cycles.size() == 1);
      StreamFixture.nextCycle(vts, stream);
      Await.until(() -> cycles.size() == 2);
      sub.dispose();
      Map<Long, Long> expected = new HashMap<>();
      for (long i = 0; i < 1000; i++) {
        expected.put(i, i);
      }
      assertThat(cycles).containsExactly(expected, expected);
      assertThat(ends).extracting(MapBatch::cycle, MapBatch::entriesRead, MapBatch::complete, MapBatch::size)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 1000L, true, 0),
              org.assertj.core.groups.Tuple.tuple(2L, 1000L, true, 0));
      // the entries, and each cycle's end as a CYCLE_END counts
      assertThat(stream.stats().eventsEmitted()).isEqualTo(2002);
      stream.close();
      stream.idle().block(Duration.ofSeconds(30));
      assertThat(stream.isFreed()).isTrue();
    }
  }

  @Test
  void readmeViewsExampleRuns() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_readme", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = lending(map, vts).build();
      List<String> printed = new CopyOnWriteArrayList<>();
      // as the README writes it, println aside
      FieldAccessor packets = VALUE.accessor("packets");
      java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
      Disposable sub = stream.views().subscribe(batch -> {
        for (int i = 0; i < batch.size(); i++) {
          total.addAndGet(packets.getLong(batch.values(), batch.valueOffset(i)));
        }
        if (batch.endsCycle()) {
          printed.add("cycle " + batch.cycle() + ": " + batch.entriesRead() + " entries, " + total + " packets");
          total.set(0);
        }
        batch.release();
      });
      Await.until(() -> !printed.isEmpty());
      sub.dispose();
      stream.close();
      // fill() writes packets = i for keys 0..999
      assertThat(printed).containsExactly("cycle 1: 1000 entries, 499500 packets");
    }
  }

  @Test
  void aSubscriberHoldingBothBatchesStopsTheReadingAndNothingItHoldsIsOverwritten() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_hold", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = lending(map, vts).build();
      List<MapBatch> held = new CopyOnWriteArrayList<>();
      List<Map<Long, Long>> atArrival = new CopyOnWriteArrayList<>();
      Disposable sub = stream.views().subscribe(b -> {
        if (!b.endsCycle()) {
          atArrival.add(entries(b));
        }
        held.add(b);
      });
      Await.until(() -> held.size() == 2);
      Thread.sleep(300);
      assertThat(held).hasSize(2);
      // nothing read beyond the two batches held (a batch ends at a hash bucket's end: up to 128)
      assertThat(stream.stats().entriesRead()).isEqualTo(held.get(0).size() + held.get(1).size());
      // given back out of order: the second first, and the first must stay as it was
      held.get(1).release();
      Await.until(() -> held.size() == 3);
      Thread.sleep(100);
      assertThat(held).hasSize(3);
      assertThat(entries(held.get(0))).isEqualTo(atArrival.get(0));
      assertThat(entries(held.get(2))).isEqualTo(atArrival.get(2));
      // from here the subscriber's releases come from another thread, in order
      Thread releaser = Thread.ofPlatform().start(() -> {
        for (int i = 0; ; i++) {
          int next = i;
          Await.until(() -> held.size() > next);
          held.get(next).release();
          if (held.get(next).endsCycle()) {
            return;
          }
        }
      });
      releaser.join(60_000);
      Map<Long, Long> all = new HashMap<>();
      atArrival.forEach(all::putAll);
      assertThat(all).hasSize(1000);
      assertThat(held.get(held.size() - 1).entriesRead()).isEqualTo(1000);
      sub.dispose();
    }
  }

  @Test
  void lentBatchesKeepTheBuffersPastCloseUntilReleased() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_close", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = lending(map, vts).build();
      AtomicReference<MapBatch> kept = new AtomicReference<>();
      Map<Long, Long> before = new HashMap<>();
      stream.views().subscribe(new BaseSubscriber<MapBatch>() {
        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
          request(1);
        }

        @Override
        protected void hookOnNext(MapBatch b) {
          before.putAll(entries(b));
          kept.set(b);
          cancel();
        }
      });
      Await.until(() -> kept.get() != null);
      stream.close();
      var idle = stream.idle().toFuture();
      Thread.sleep(300);
      assertThat(idle).as("idle while a batch is lent").isNotDone();
      assertThat(stream.isFreed()).as("freed while a batch is lent").isFalse();
      assertThat(entries(kept.get())).isEqualTo(before);
      kept.get().release();
      idle.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(stream.isFreed()).isTrue();
    }
  }

  @Test
  void refusesWhatItCannotLendInPlaceWithOneLine() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_no", 64);
        BpfMap perCpu = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_views_pcpu", 16, 64, 64))) {
      assertThat(refusal(lending(map, vts).mode(Mode.CHANGES).build())).isEqualTo("stream on map 't_views_no': views() "
          + "lends SNAPSHOT batches in place; a CHANGES stream is read through events()");
      assertThat(refusal(StreamFixture.stream(map, vts).build())).isEqualTo("stream on map 't_views_no': views() lends "
          + "values in place, where hidden fields cannot be zeroed: with a mask that hides fields, use events()");
      assertThat(refusal(lending(map, vts).batchLookup(false).build())).isEqualTo("stream on map 't_views_no': "
          + "views() lends batches in place, and batch lookup is off: use events()");
      assertThat(refusal(lending(perCpu, vts).build())).isEqualTo("stream on map 't_views_pcpu': views() lends values "
          + "in place, where per-CPU values cannot be summed or split: use events()");
    }
  }

  @Test
  void eventsAndViewsReadOneAtATime() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_one", 64)) {
      StreamFixture.fill(map, 10);
      MapStream stream = lending(map, vts).build();
      Disposable views = stream.views().subscribe(MapBatch::release);
      assertThat(refusal(stream.events())).isEqualTo("stream on map 't_views_one': the stream is read through views(), "
          + "and events() cannot read it at the same time");
      assertThat(refusal(stream.views())).isEqualTo("stream on map 't_views_one': views() lends each batch to one "
          + "subscriber: one at a time");
      views.dispose();
      Disposable events = stream.events().subscribe();
      assertThat(refusal(stream.views())).isEqualTo("stream on map 't_views_one': the stream is read through events(), "
          + "and views() cannot read it at the same time");
      events.dispose();
      // once events() has let go (its cycle may still settle: the views' first cycle waits for it), views() reads again, from cycle 1
      // the batches a filter drops are released by a discard hook after it
      MapBatch end = stream.views().filter(MapBatch::endsCycle).doOnDiscard(MapBatch.class, MapBatch::release)
          .blockFirst(Duration.ofSeconds(30));
      assertThat(end.cycle()).isEqualTo(1);
      assertThat(end.entriesRead()).isEqualTo(10);
      stream.close();
      stream.idle().block(Duration.ofSeconds(30));
      assertThat(stream.isFreed()).isTrue();
    }
  }

  @Test
  void eventsAfterACancelledViewsSubscriberWaitForItsBatchesWithoutHoldingAThread() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_views_then", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = lending(map, vts).build();
      List<MapBatch> held = new CopyOnWriteArrayList<>();
      Disposable views = stream.views().subscribe(held::add);
      Await.until(() -> held.size() == 2);
      views.dispose();  // both buffer sets stay lent
      AtomicReference<MapEvent> end = new AtomicReference<>();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      Disposable events = stream.events().subscribe(e -> {
        if (e.kind() == MapEvent.Kind.CYCLE_END) {
          end.set(e);
        }
      }, errors::add);
      Thread.sleep(300);
      assertThat(end.get()).isNull();
      assertThat(threadsIn("ReadAhead.take")).as("threads waiting for a lent set").isEmpty();
      held.forEach(MapBatch::release);
      Await.until(() -> end.get() != null || !errors.isEmpty());
      assertThat(errors).isEmpty();
      assertThat(end.get().entriesRead()).isEqualTo(1000);
      events.dispose();
      stream.close();
      stream.idle().block(Duration.ofSeconds(30));
      assertThat(stream.isFreed()).isTrue();
    }
  }

  @Test
  void aSubscriberThrowingFromOnCompleteReleasesTheReaderOnce() {
    try (BpfMap map = StreamFixture.hash("t_views_throw", 64)) {
      StreamFixture.fill(map, 10);
      StreamStats stats = new StreamStats("t_views_throw");
      RecordView view = new RecordView("t_views_throw", KEY, PermissionMask.readAll().compile(VALUE));
      CycleReader reader = new CycleReader(map, view, Mode.SNAPSHOT, PerCpuPolicy.SUM, 128, true, stats, null);
      CyclePublisher.events(reader, 1, true, stats, reactor.core.scheduler.Schedulers.immediate())
          .subscribe(new reactor.core.CoreSubscriber<MapEvent>() {
            @Override
            public void onSubscribe(org.reactivestreams.Subscription s) {
              s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(MapEvent e) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {
              throw new IllegalStateException("a subscriber that breaks the rules");
            }
          });
      // a cycle that starts now holds the reader: closing must not free the buffers under it
      assertThat(reader.acquire(() -> {})).isEqualTo(Lease.Cycle.STARTED);
      reader.close();
      assertThat(reader.freed()).as("freed while a cycle holds the reader").isFalse();
      reader.release();
      assertThat(reader.freed()).isTrue();
    }
  }

  private static List<String> threadsIn(String frame) {
    List<String> out = new ArrayList<>();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      for (StackTraceElement e : stack) {
        if ((e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName()).equals(frame)) {
          out.add(t.getName());
        }
      }
    });
    return out;
  }

  private static String refusal(MapStream stream) {
    try (stream) {
      return refusal(stream.views());
    }
  }

  private static String refusal(reactor.core.publisher.Flux<?> flux) {
    List<Throwable> errors = new ArrayList<>();
    flux.take(1).onErrorResume(e -> {
      errors.add(e);
      return Mono.empty();
    }).blockLast(Duration.ofSeconds(30));
    assertThat(errors).singleElement().isInstanceOf(BpfException.class);
    return errors.get(0).getMessage();
  }
}
