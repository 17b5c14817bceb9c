package io.bpfmap.core.stream;

import io.bpfmap.core.testing.Await;
import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static io.bpfmap.core.stream.StreamFixture.key;
import static io.bpfmap.core.stream.StreamFixture.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.Writes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** DRAIN mode: every entry exactly once, and nothing taken that was not requested. */
@KernelTest
class MapStreamDrainTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void drainDeliversEveryEntryOfAConcurrentWriterExactlyOnce() throws Exception {
    int total = 50_000;
    try (BpfMap map = StreamFixture.hash("t_drain", 4096)) {
      ParsedMap parsed = map.parsed(KEY, VALUE);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN)
          .interval(Duration.ofMillis(10)).batchSize(512).build();
      Map<Long, Integer> received = new ConcurrentHashMap<>();
      Disposable sub = stream.events().filter(e -> e.kind() == Kind.UPSERT)
          .subscribe(e -> received.merge(StreamFixture.uid(e), 1, Integer::sum));
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      Thread writer = Thread.ofPlatform().start(() -> {
        try {
          for (long i = 0; i < total; i++) {
            Writes.whenRoom(parsed, key(i), value(i, i));
          }
        } catch (Throwable t) {
          writerError.set(t);
        }
      });
      try {
        writer.join();
        Await.until(() -> received.size() == total);
        Thread.sleep(100);
      } finally {
        sub.dispose();
      }
      assertThat(writerError.get()).isNull();
      assertThat(received).hasSize(total);
      assertThat(received.values()).as("each entry exactly once").containsOnly(1);
      assertThat(map.nextKey(null)).as("the map is drained").isEmpty();
    }
  }

  @Test
  void drainTakesOnlyWhatWasRequestedAndLeavesTheRest() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_drain", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN)
          .interval(StreamFixture.INTERVAL).timer(vts).build();
      StepVerifier.create(stream.events(), 0)
          .thenRequest(10)
          .expectNextCount(10)
          .expectNoEvent(Duration.ofMillis(300))
          .thenRequest(5)
          .expectNextCount(5)
          .expectNoEvent(Duration.ofMillis(300))
          .thenCancel()
          .verify(TIMEOUT);
      assertThat(map.entries()).hasSize(985);
      assertThat(stream.stats().entriesRead()).isEqualTo(15);
    }
  }

  @Test
  void entriesABufferingOperatorDiscardsGoBackIntoTheMap() {
    try (BpfMap map = StreamFixture.hash("t_drain", 2000)) {
      StreamFixture.fill(map, 1000);
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN).build();
      Long got = stream.events().publishOn(reactor.core.scheduler.Schedulers.single(), 256)
          .filter(e -> e.kind() == Kind.UPSERT).take(10)
          .doOnDiscard(MapEvent.class, stream::restore)
          .count().block(TIMEOUT);
      assertThat(got).isEqualTo(10);
      Await.until(() -> map.entries().size() == 990);
      assertThat(stream.stats().drainConflicts()).isZero();
    }
  }

  @Test
  void drainTakesOneSubscriberAtATime() {
    try (BpfMap map = StreamFixture.hash("t_drain", 10)) {
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).mode(Mode.DRAIN).build();
      Disposable first = stream.events().subscribe();
      try {
        StepVerifier.create(stream.events())
            .expectErrorMessage("stream on map 't_drain': DRAIN delivers each entry once: one subscriber at a "
                + "time (share it downstream)")
            .verify(TIMEOUT);
      } finally {
        first.dispose();
      }
    }
  }

  @Test
  void drainNeedsAWritableOpen(io.bpfmap.core.testing.PinDir dir) {
    try (BpfMap map = StreamFixture.hash("t_drain", 10)) {
      map.pin(dir.resolve("m"));
    }
    try (BpfMap ro = BpfMap.openPinned(dir.resolve("m"), io.bpfmap.core.OpenMode.READ_ONLY)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MapStream.builder(ro).keyLayout(KEY)
              .valueLayout(VALUE).mode(Mode.DRAIN).build())
          .hasMessage("stream on map 't_drain': DRAIN deletes entries: open the map READ_WRITE");
    }
  }

  @Test
  void aCycleOfANewSubscriberWaitsForTheCancelledOneToPutBackWhatItTook() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = StreamFixture.hash("t_drain_turn", 2000)) {
      StreamFixture.fill(map, 1000);
      // a thread per task: the new subscriber's cycle does not queue behind the held one's thread
      var threads = java.util.concurrent.Executors.newCachedThreadPool();
      MapStream stream = StreamFixture.stream(map, vts).mode(Mode.DRAIN).batchSize(128)
          .scheduler(reactor.core.scheduler.Schedulers.fromExecutorService(threads)).build();
      java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch goOn = new java.util.concurrent.CountDownLatch(1);
      Map<Long, Integer> received = new ConcurrentHashMap<>();
      Disposable first = stream.events().filter(e -> e.kind() == Kind.UPSERT).subscribe(e -> {
        received.merge(StreamFixture.uid(e), 1, Integer::sum);
        inside.countDown();
        // the first cycle's thread is held here, with batches taken out of the kernel (the cancel
        // interrupts it: it stays all the same, as a subscriber busy in a syscall would)
        boolean interrupted = false;
        while (goOn.getCount() > 0) {
          try {
            goOn.await();
          } catch (InterruptedException ex) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(inside.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      first.dispose();  // cancelled: its cycle settles once onNext returns
      AtomicReference<MapEvent> end = new AtomicReference<>();
      AtomicReference<Throwable> error = new AtomicReference<>();
      Disposable second = stream.events().subscribe(e -> {
        if (e.kind() == Kind.CYCLE_END) {
          end.compareAndSet(null, e);
        } else {
          received.merge(StreamFixture.uid(e), 1, Integer::sum);
        }
      }, error::set);
      Thread.sleep(200);
      assertThat(end.get()).as("a cycle ran while the cancelled one still held what it took").isNull();
      goOn.countDown();
      Await.until(() -> end.get() != null || error.get() != null);
      second.dispose();
      assertThat(error.get()).isNull();
      assertThat(received).hasSize(1000);
      assertThat(received.values()).as("each entry exactly once").containsOnly(1);
      assertThat(map.nextKey(null)).as("the map is drained").isEmpty();
      stream.close();
      threads.shutdown();
    }
  }
}
