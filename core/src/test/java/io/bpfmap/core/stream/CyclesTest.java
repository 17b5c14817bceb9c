package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The schedule of cycles, in virtual time: no overlap, ticks skipped (and counted), not queued. */
class CyclesTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  /** A fake cycle that takes {@code length} of virtual time and records when it ran. */
  private static Flux<String> cycle(long n, Duration length, AtomicInteger running, AtomicInteger maxRunning,
      List<String> log, VirtualTimeScheduler vts) {
    return Flux.defer(() -> {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      log.add("start " + n + " at " + vts.now(java.util.concurrent.TimeUnit.MILLISECONDS));
      return Flux.just("cycle " + n).delayElements(length, vts).doFinally(s -> running.decrementAndGet());
    });
  }

  @Test
  void quickCyclesRunOnEveryTick() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    AtomicInteger skipped = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    List<String> log = new ArrayList<>();
    StepVerifier.withVirtualTime(() -> Cycles.schedule(SECOND, vts, skipped::incrementAndGet,
            n -> cycle(n, Duration.ofMillis(100), running, max, log, vts)), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMillis(3500))
        .expectNext("cycle 1", "cycle 2", "cycle 3", "cycle 4")
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    assertThat(log).containsExactly("start 1 at 0", "start 2 at 1000", "start 3 at 2000", "start 4 at 3000");
    assertThat(skipped).hasValue(0);
    assertThat(max).hasValue(1);
  }

  @Test
  void aCycleLongerThanTheIntervalDelaysTheNextAndCountsSkippedTicks() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    AtomicInteger skipped = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    List<String> log = new ArrayList<>();
    List<String> got = new ArrayList<>();
    var subscription = Cycles.schedule(SECOND, vts, skipped::incrementAndGet,
        n -> cycle(n, Duration.ofMillis(2500), running, max, log, vts)).subscribe(got::add);
    vts.advanceTimeBy(Duration.ofMillis(6100));
    subscription.dispose();
    // Cycle 1 runs 0..2500: the ticks at 1 s and 2 s are dropped; cycle 2 waits for the 3 s tick.
    assertThat(log).containsExactly("start 1 at 0", "start 2 at 3000", "start 3 at 6000");
    assertThat(got).containsExactly("cycle 1", "cycle 2");
    assertThat(skipped).hasValue(4);
    assertThat(max).as("cycles never overlap").hasValue(1);
  }

  @Test
  void aSlowSubscriberHoldsTheCycleOpenAndTicksAreSkipped() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    AtomicInteger skipped = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> Cycles.schedule(SECOND, vts, skipped::incrementAndGet,
            n -> Flux.range(1, 3).map(i -> n + "." + i)), () -> vts, 1)
        .expectNext("1.1")
        .thenAwait(Duration.ofSeconds(5))
        .thenRequest(2)
        .expectNext("1.2", "1.3")
        .thenRequest(1)
        .expectNoEvent(Duration.ofMillis(999))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("2.1")
        .thenCancel()
        .verify(Duration.ofSeconds(10));
    // Ticks at 1..5 s came while cycle 1 waited for its subscriber: dropped, and cycle 2 ran at 6 s.
    assertThat(skipped).hasValue(5);
  }
}
