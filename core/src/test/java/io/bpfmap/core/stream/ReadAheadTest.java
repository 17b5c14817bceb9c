package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read-ahead's hand-off, with reads that only count (its kernel side runs in the stream tests). */
class ReadAheadTest {
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final Executor executor = task -> threads.add(Thread.ofPlatform().start(task));

  private static ReadAhead.Batch batch(int got) {
    return new ReadAhead.Batch(got, null, null, null, null);
  }

  @Test
  void readsIntoASetOnlyOnceTheEmitterIsDoneWithWhatItHeld() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 10);
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger takes = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    ahead.reset(max -> {
      int r = reads.getAndIncrement();
      // batch r goes into the set batch r - 2 held: the emitter must have asked for batch r - 1
      if (takes.get() < r - 1) {
        violations.add("read " + r + " after " + takes.get() + " takes");
      }
      return batch(r < 20 ? 10 : 0);
    }, Long.MAX_VALUE);
    int batches = 0;
    while (true) {
      takes.incrementAndGet();
      ReadAhead.Batch b = ahead.take();
      if (b.got() == 0) {
        break;
      }
      batches++;
      Thread.sleep(5);  // a slow emitter: the loop is ahead, and must wait for it
    }
    assertThat(violations).isEmpty();
    assertThat(batches).isEqualTo(20);
    assertThat(reads.get()).isEqualTo(21);
  }

  @Test
  void drainReadsNoMoreThanWasGranted() {
    ReadAhead ahead = new ReadAhead(executor, 100);
    List<Integer> asked = new CopyOnWriteArrayList<>();
    ahead.reset(max -> {
      asked.add(max);
      return batch(max);
    }, 0);
    ahead.grant(150);
    assertThat(ahead.take().got()).isEqualTo(100);
    assertThat(ahead.take().got()).isEqualTo(50);
    ahead.grant(400);
    assertThat(ahead.take().got()).isEqualTo(100);
    assertThat(ahead.take().got()).isEqualTo(100);
    assertThat(ahead.take().got()).isEqualTo(50);
    assertThat(ahead.stop()).isEmpty();
    assertThat(asked).containsExactly(100, 50, 100, 100, 50);
  }

  /**
   * A bucket larger than the grant: the cycle takes entries per key, and those count against the
   * grant. (They did not: with 3 requested, the loop took 1, then 1 per key, then 2 more.)
   */
  @Test
  void entriesTakenPerKeyCountAgainstTheGrant() {
    ReadAhead ahead = new ReadAhead(executor, 4);
    List<Integer> asked = new CopyOnWriteArrayList<>();
    ahead.reset(max -> {
      asked.add(max);
      return batch(asked.size() == 1 ? 1 : asked.size() == 2 ? io.bpfmap.core.BatchCursor.NEEDS_MORE : max);
    }, 0);
    ahead.grant(3);
    assertThat(ahead.take().got()).isEqualTo(1);
    assertThat(ahead.take().got()).isEqualTo(io.bpfmap.core.BatchCursor.NEEDS_MORE);
    ahead.tookPerKey(1);
    assertThat(ahead.take().got()).isEqualTo(1);
    assertThat(asked).containsExactly(3, 2, 1);
  }

  /** After NEEDS_MORE, when the read per key found the map empty, nothing more is read in that cycle. */
  @Test
  void nothingIsReadAfterTheLastBatchOfAPassEvenWhenMoreIsGranted() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 4);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset(max -> {
      reads.incrementAndGet();
      return batch(io.bpfmap.core.BatchCursor.NEEDS_MORE);
    }, 0);
    ahead.grant(3);
    assertThat(ahead.take().got()).isEqualTo(io.bpfmap.core.BatchCursor.NEEDS_MORE);
    ahead.grant(10);
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(reads.get()).isEqualTo(1);
    assertThat(ahead.stop()).isEmpty();
  }

  @Test
  void aLoopThatCannotGoOnEndsInsteadOfHoldingItsThread() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 10);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset(max -> {
      reads.incrementAndGet();
      return batch(10);
    }, Long.MAX_VALUE);
    assertThat(ahead.take().got()).isEqualTo(10);
    // the loop fills the other set, then ends: both sets are in use until the next take
    for (Thread t : threads) {
      t.join(10_000);
      assertThat(t.isAlive()).as("a loop thread waiting for the emitter").isFalse();
    }
    assertThat(reads.get()).isEqualTo(2);
    assertThat(ahead.take().got()).isEqualTo(10);
    // that take gave a set back: a new loop reads the third batch into it, and ends again
    for (int i = 0; i < 1000 && reads.get() < 3; i++) {
      Thread.sleep(10);
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertThat(reads.get()).isEqualTo(3);
    assertThat(ahead.stop()).as("the batch read ahead, not taken").hasSize(1);
  }

  @Test
  void stopWaitsForTheReadInFlightAndGivesBackWhatWasNotTaken() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 10);
    CountDownLatch inRead = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset(max -> {
      if (reads.getAndIncrement() == 1) {
        inRead.countDown();
        await(release);
      }
      return batch(7);
    }, Long.MAX_VALUE);
    assertThat(ahead.take().got()).isEqualTo(7);
    assertThat(inRead.await(10, TimeUnit.SECONDS)).isTrue();
    Thread stopper = Thread.ofPlatform().start(() -> assertThat(ahead.stop()).extracting(ReadAhead.Batch::got)
        .containsExactly(7));
    stopper.join(200);
    assertThat(stopper.isAlive()).as("stop() returned while the kernel was still reading").isTrue();
    release.countDown();
    stopper.join(10_000);
    assertThat(stopper.isAlive()).isFalse();
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  void aFailedReadIsTheBatchTheEmitterTakesAndEndsTheLoop() {
    ReadAhead ahead = new ReadAhead(executor, 10);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset(max -> {
      if (reads.incrementAndGet() == 2) {
        throw new IllegalStateException("map 'm' is closed");
      }
      return batch(10);
    }, Long.MAX_VALUE);
    assertThat(ahead.take().got()).isEqualTo(10);
    ReadAhead.Batch failed = ahead.take();
    assertThat(failed.failure()).hasMessage("map 'm' is closed");
    assertThat(failed.last()).isTrue();
    assertThat(ahead.stop()).isEmpty();
    assertThat(reads.get()).isEqualTo(2);
  }

  @Test
  void withoutAThreadItReadsOneBatchOnTheEmitter() {
    ReadAhead ahead = new ReadAhead(task -> {
      throw new java.util.concurrent.RejectedExecutionException("disposed");
    }, 10);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset(max -> batch(reads.incrementAndGet() < 3 ? 10 : 0), Long.MAX_VALUE);
    assertThat(ahead.take().got()).isEqualTo(10);
    assertThat(ahead.take().got()).isEqualTo(10);
    assertThat(ahead.take().got()).isZero();
    assertThat(reads.get()).isEqualTo(3);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
