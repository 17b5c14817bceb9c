package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.KEY;
import static io.bpfmap.core.stream.StreamFixture.VALUE;
import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Per-key iteration (the fallback where batch lookup is missing) under a writer that updates,
 * deletes and re-creates half the keys as fast as it can: every key nobody touches is in each
 * cycle exactly once, or the cycle says it is incomplete. (The old walk delivered untouched keys
 * twice and missed others.)
 */
@KernelTest
class MapStreamChurnTest {
  private static final int UNTOUCHED = 10_000;
  private static final int TOUCHED = 10_000;

  @Test
  void untouchedKeysAppearOncePerCycleOrTheCycleSaysItIsIncomplete() throws Exception {
    try (BpfMap map = StreamFixture.hash("t_churn", 2 * (UNTOUCHED + TOUCHED))) {
      StreamFixture.fill(map, UNTOUCHED + TOUCHED);
      ParsedMap parsed = map.parsed(KEY, VALUE);
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      Thread writer = Thread.ofPlatform().start(() -> {
        try {
          // Chunks of touched keys are deleted, then written again: a walk that stands on one of
          // them while it is gone starts over from the first key.
          for (long n = 0; writing.get(); n++) {
            for (int from = UNTOUCHED; from < UNTOUCHED + TOUCHED && writing.get(); from += 500) {
              for (int k = from; k < from + 500; k++) {
                parsed.delete(StreamFixture.key(k));
              }
              for (int k = from; k < from + 500; k++) {
                parsed.update(StreamFixture.key(k), StreamFixture.value(n, k));
              }
            }
          }
        } catch (Throwable t) {
          writerError.set(t);
        }
      });
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).batchLookup(false)
          .interval(Duration.ofMillis(10)).build();
      List<Map<Long, Integer>> complete = new ArrayList<>();
      int incomplete = 0;
      Map<Long, Integer> counts = new HashMap<>();
      try {
        for (MapEvent e : stream.events().take(Duration.ofSeconds(60))
            .takeUntil(e -> e.kind() == Kind.CYCLE_END && e.cycle() >= 8).toIterable()) {
          if (e.kind() == Kind.UPSERT) {
            long uid = StreamFixture.uid(e);
            if (uid < UNTOUCHED) {
              counts.merge(uid, 1, Integer::sum);
            }
          } else if (e.kind() == Kind.CYCLE_END) {
            if (e.complete()) {
              complete.add(counts);
            } else {
              incomplete++;
            }
            counts = new HashMap<>();
          }
        }
      } finally {
        writing.set(false);
        writer.join();
        stream.close();
      }
      assertThat(writerError.get()).isNull();
      assertThat(complete.size() + incomplete).isEqualTo(8);
      assertThat(stream.stats().incompleteCycles()).isEqualTo(incomplete);
      assertThat(complete).as("cycles that read the whole map").isNotEmpty();
      for (Map<Long, Integer> cycle : complete) {
        assertThat(cycle).as("every untouched key").hasSize(UNTOUCHED);
        assertThat(cycle.values()).as("each once").containsOnly(1);
      }
      assertThat(stream.stats().keyRepeats()).as("the writer made the kernel's walk repeat keys").isPositive();
      System.out.println("MapStreamChurnTest: " + complete.size() + " complete cycles, " + incomplete
          + " incomplete, " + stream.stats().keyRepeats() + " keys given again and skipped");
    }
  }
}
