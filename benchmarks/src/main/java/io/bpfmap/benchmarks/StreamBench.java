package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapBatch;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The polling engine on the 1 000 000-entry map of {@link ReadBench} (16-byte key, value of eight
 * Q), against the C libbpf batch read of the same map right before each round: SNAPSHOT events/s
 * to a counting subscriber, the same cycles lent in place ({@link MapStream#views()}) to a
 * subscriber that reads one field of each entry, CHANGES cycles with 1% of entries changed, DRAIN events/s (also against
 * C's batch lookup-and-delete of a map like it), the heap the CHANGES state keeps per entry, bytes
 * allocated and the process's CPU time per event.
 */
final class StreamBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"Q\"],[\"check\",\"Q\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"data\",\"8Q\"]]");
  private static final int N = ReadBench.ENTRIES;
  /** Measured rounds of each stream, each right after a C batch read of the same map: its reference. */
  private static final int ROUNDS = 9;

  private StreamBench() {}

  static void run() {
    Path pin = Path.of("/sys/fs/bpf/bpfmap-bench-stream-" + ProcessHandle.current().pid());
    try (BpfMap map = ReadBench.filledHash("bench_stream", N)) {
      map.pin(pin);
      snapshot(map, pin);
      views(map, pin);
      changes(map, pin);
      drain(pin);
    } finally {
      deletePin(pin);
    }
  }

  private static void deletePin(Path pin) {
    try {
      Files.deleteIfExists(pin);
    } catch (IOException ignored) {
      // best effort: the pin's name holds this process's id
    }
  }

  private static MapStream.Builder builder(BpfMap map) {
    return MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).interval(Duration.ofHours(1)).prefetch(4096);
  }

  /** Counts the events of the first cycle of a fresh stream, then closes it; returns events/s. */
  private static double oneCycle(MapStream stream, long expected) {
    try (stream) {
      long t0 = System.nanoTime();
      long n = stream.events().takeUntil(e -> e.kind() == MapEvent.Kind.CYCLE_END).count().block();
      double eps = (n - 1) / ((System.nanoTime() - t0) / 1e9);
      ReadBench.check(n - 1, expected);
      return eps;
    }
  }

  /** The C batch read of the map at {@code pin}: the reference of the round that follows it. */
  private static double reference(Path pin) {
    return ReadBench.cReference(pin, "batch", 3);
  }

  private static void snapshot(BpfMap map, Path pin) {
    firstCycles("stream.snapshot.1M", map, pin, StreamBench::oneCycle);
  }

  /**
   * Times {@code cycle} (a fresh stream's first cycle, events/s) on {@code map} for {@link #ROUNDS}
   * rounds after three warm-ups, each right after a C read of the map; with the bytes allocated and
   * the CPU time per event.
   */
  private static void firstCycles(String name, BpfMap map, Path pin, java.util.function.ToDoubleBiFunction<MapStream,
      Long> cycle) {
    for (int i = 0; i < 3; i++) {
      cycle.applyAsDouble(builder(map).build(), (long) N);
    }
    List<Double> eps = new ArrayList<>();
    List<Double> c = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    long allocated = 0;
    for (int i = 0; i < ROUNDS; i++) {
      c.add(reference(pin));
      long before = Bench.allocatedBytes();
      long cpu0 = Bench.cpuNanos();
      eps.add(cycle.applyAsDouble(builder(map).build(), (long) N));
      cpu.add((double) (Bench.cpuNanos() - cpu0) / N);
      allocated += Bench.allocatedBytes() - before;
    }
    Bench.reportPaired(name, "java_eps", eps, "c_eps", c,
        String.format(java.util.Locale.ROOT, "alloc_b_per_event=%.2f", allocated / ((double) ROUNDS * N)),
        cpu(cpu, c));
  }

  /** The first cycle of a fresh stream through views(): reads each entry's first field; returns entries/s. */
  private static double oneViewCycle(MapStream stream, long expected) {
    try (stream) {
      long t0 = System.nanoTime();
      long[] seen = new long[2];
      stream.views().takeUntil(MapBatch::endsCycle).doOnNext(b -> {
        for (int i = 0; i < b.size(); i++) {
          seen[1] += b.values().get(ValueLayout.JAVA_LONG, b.valueOffset(i));
        }
        seen[0] += b.size();
        b.release();
      }).blockLast();
      double eps = seen[0] / ((System.nanoTime() - t0) / 1e9);
      ReadBench.check(seen[0], expected);
      return eps;
    }
  }

  private static void views(BpfMap map, Path pin) {
    firstCycles("stream.snapshot.views.1M", map, pin, StreamBench::oneViewCycle);
  }

  private static void changes(BpfMap map, Path pin) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    MapStream stream = builder(map).mode(Mode.CHANGES).timer(vts).build();
    AtomicLong ends = new AtomicLong();
    AtomicLong upserts = new AtomicLong();
    Disposable sub = stream.events().subscribe(e -> {
      if (e.kind() == MapEvent.Kind.CYCLE_END) {
        ends.incrementAndGet();
      } else {
        upserts.incrementAndGet();
      }
    });
    try {
      await(() -> ends.get() == 1);
      long stateBytes = stream.changeStateBytes();
      List<Double> scanEps = new ArrayList<>();
      List<Double> c = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (int round = 1; round <= ROUNDS + 1; round++) {
        changeOnePercent(map, round);
        double reference = reference(pin);
        long cpu0 = Bench.cpuNanos();
        long before = upserts.get();
        long target = ends.get() + 1;
        while (ends.get() < target) {
          vts.advanceTimeBy(Duration.ofHours(1));
          await(() -> ends.get() >= target, 5);
        }
        double seconds = stream.stats().lastCycleDuration().toNanos() / 1e9;
        double cycleCpu = (double) (Bench.cpuNanos() - cpu0) / N;
        ReadBench.check(upserts.get() - before, N / 100);
        if (round > 1) {
          scanEps.add(N / seconds);
          c.add(reference);
          cpu.add(cycleCpu);
        }
      }
      long keyBytes = (long) N * ((KEY.size() + 7) / 8 * 8);
      Bench.reportPaired("stream.changes.1pct.1M", "java_eps", scanEps, "c_eps", c,
          "events_per_cycle=" + N / 100, cpu(cpu, c),
          "state_b_per_entry=" + String.format(java.util.Locale.ROOT, "%.1f", (double) stateBytes / N),
          "state_b_per_entry_without_keys=" + String.format(java.util.Locale.ROOT, "%.1f", (double) (stateBytes - keyBytes) / N));
    } finally {
      sub.dispose();
      stream.close();
    }
  }

  /** Rewrites 1% of the entries (a different slice each round) with new values. */
  private static void changeOnePercent(BpfMap map, int round) {
    int count = N / 100;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment keys = a.allocate((long) count * 16, 8);
      MemorySegment values = a.allocate((long) count * 64, 8);
      for (int i = 0; i < count; i++) {
        long id = ((long) round * 7919 + i * 100L) % N;
        keys.set(ValueLayout.JAVA_LONG, i * 16L, id);
        keys.set(ValueLayout.JAVA_LONG, i * 16L + 8, ~id);
        values.set(ValueLayout.JAVA_LONG, i * 64L, round * 1_000_000_007L + id);
      }
      map.updateBatch(keys, values, count);
    }
  }

  private static void drain(Path pin) {
    List<Double> eps = new ArrayList<>();
    List<Double> c = new ArrayList<>();
    List<Double> cDrain = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    Path drained = Path.of(pin + "_drain");
    for (int i = 0; i < ROUNDS; i++) {
      try (BpfMap fresh = ReadBench.filledHash("bench_drain", N)) {
        c.add(reference(pin));
        // the kernel's own cost of taking entries out: C drains a map like this one
        try (BpfMap forC = ReadBench.filledHash("bench_c_drain", N)) {
          forC.pin(drained);
          cDrain.add(ReadBench.cReference(drained, "drain", 1));
        } finally {
          deletePin(drained);
        }
        MapStream stream = builder(fresh).mode(Mode.DRAIN).build();
        long cpu0 = Bench.cpuNanos();
        eps.add(oneCycle(stream, N));
        cpu.add((double) (Bench.cpuNanos() - cpu0) / N);
        ReadBench.check(fresh.entries().size(), 0);
      }
    }
    List<Double> vsDrain = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      vsDrain.add(eps.get(i) / cDrain.get(i));
    }
    Bench.reportPaired("stream.drain.1M", "java_eps", eps, "c_eps", c, cpu(cpu, c),
        "c_drain_eps=" + Bench.range(cDrain),
        String.format(java.util.Locale.ROOT, "ratio_to_c_drain=%.2f", ReadBench.median(vsDrain)));
  }


  /**
   * {@code cpu_ns_per_event=…}: the process's CPU time (every thread) per entry, median of the
   * rounds, and the C read's, whose single thread is busy all its wall time.
   */
  private static String cpu(List<Double> ours, List<Double> cEps) {
    return String.format(java.util.Locale.ROOT, "cpu_ns_per_event=%.0f c_cpu_ns_per_event=%.0f",
        ReadBench.median(ours), 1e9 / ReadBench.median(cEps));
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    await(condition, 120);
  }

  private static void await(java.util.function.BooleanSupplier condition, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
