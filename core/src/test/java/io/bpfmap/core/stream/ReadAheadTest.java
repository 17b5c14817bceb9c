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

  private static ReadAhead.Batch batch(int set, int got) {
    return new ReadAhead.Batch(set, got, null, null, null, null);
  }

  @Test
  void readsIntoASetOnlyOnceTheEmitterIsDoneWithWhatItHeld() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 10);
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger takes = new AtomicInteger();
    List<String> violations = new CopyOnWriteArrayList<>();
    ahead.reset((max, set) -> {
      int r = reads.getAndIncrement();
      // batch r goes into the set batch r - 2 held: the emitter must have asked for batch r - 1
      if (takes.get() < r - 1) {
        violations.add("read " + r + " after " + takes.get() + " takes");
      }
      return batch(set, r < 20 ? 10 : 0);
    }, Long.MAX_VALUE, false);
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
    ahead.reset((max, set) -> {
      asked.add(max);
      return batch(set, max);
    }, 0, false);
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
    ahead.reset((max, set) -> {
      asked.add(max);
      return batch(set, asked.size() == 1 ? 1 : asked.size() == 2 ? io.bpfmap.core.BatchCursor.NEEDS_MORE : max);
    }, 0, false);
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
    ahead.reset((max, set) -> {
      reads.incrementAndGet();
      return batch(set, io.bpfmap.core.BatchCursor.NEEDS_MORE);
    }, 0, false);
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
    ahead.reset((max, set) -> {
      reads.incrementAndGet();
      return batch(set, 10);
    }, Long.MAX_VALUE, false);
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
    ahead.reset((max, set) -> {
      if (reads.getAndIncrement() == 1) {
        inRead.countDown();
        await(release);
      }
      return batch(set, 7);
    }, Long.MAX_VALUE, false);
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
    ahead.reset((max, set) -> {
      if (reads.incrementAndGet() == 2) {
        throw new IllegalStateException("map 'm' is closed");
      }
      return batch(set, 10);
    }, Long.MAX_VALUE, false);
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
    ahead.reset((max, set) -> batch(set, reads.incrementAndGet() < 3 ? 10 : 0), Long.MAX_VALUE, false);
    assertThat(ahead.take().got()).isEqualTo(10);
    assertThat(ahead.take().got()).isEqualTo(10);
    assertThat(ahead.take().got()).isZero();
    assertThat(reads.get()).isEqualTo(3);
  }

  @Test
  void lentSetsAreReadIntoOnlyOnceGivenBackInAnyOrderAndAcrossPasses() throws Exception {
    ReadAhead ahead = new ReadAhead(executor, 10);
    List<Integer> lentNow = new CopyOnWriteArrayList<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger reads = new AtomicInteger();
    ReadAhead.Read read = (max, set) -> {
      if (lentNow.contains(set)) {
        violations.add("read into lent set " + set);
      }
      return batch(set, reads.incrementAndGet() % 4 == 0 ? 0 : 10);
    };
    ahead.reset(read, Long.MAX_VALUE, true);
    ReadAhead.Batch first = ahead.take();
    lentNow.add(first.set());
    ReadAhead.Batch second = ahead.take();
    lentNow.add(second.set());
    assertThat(second.set()).isNotEqualTo(first.set());
    // both sets lent, nothing read: take answers at once instead of waiting
    assertThat(ahead.take()).isNull();
    // given back out of order: the next read goes into the second's set
    lentNow.remove((Integer) second.set());
    ahead.giveBack(second.set());
    ReadAhead.Batch third = ahead.take();
    assertThat(third.set()).isEqualTo(second.set());
    lentNow.add(third.set());
    assertThat(ahead.take()).isNull();
    // a new pass while the first and third are still lent: nothing is read until one comes back
    ahead.stop();
    ahead.reset(read, Long.MAX_VALUE, true);
    assertThat(ahead.take()).isNull();
    lentNow.remove((Integer) first.set());
    ahead.giveBack(first.set());
    ReadAhead.Batch next = ahead.take();
    assertThat(next.set()).isEqualTo(first.set());
    assertThat(violations).isEmpty();
  }

  @Test
  void aSetGivenBackTwiceIsFreedOnce() {
    ReadAhead ahead = new ReadAhead(executor, 10);
    AtomicInteger reads = new AtomicInteger();
    ahead.reset((max, set) -> {
      reads.incrementAndGet();
      return batch(set, 10);
    }, Long.MAX_VALUE, true);
    ReadAhead.Batch a = ahead.take();
    ReadAhead.Batch b = ahead.take();
    assertThat(ahead.take()).isNull();
    ahead.giveBack(a.set());
    ahead.giveBack(a.set());
    ahead.giveBack(a.set());
    ReadAhead.Batch c = ahead.take();
    assertThat(c.set()).isEqualTo(a.set());
    // the set was freed once: with b and c lent, nothing more is read
    assertThat(ahead.take()).isNull();
    assertThat(reads.get()).isEqualTo(3);
    assertThat(b.set()).isNotEqualTo(c.set());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
