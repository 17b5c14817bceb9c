package io.bpfmap.benchmarks;

import io.bpfmap.core.BatchCursor;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A full read of a 1 000 000-entry hash map (16-byte keys, 64-byte values), by batch lookup and
 * by per-key iteration, in Java (bpfmap) and in C (libbpf, {@code c/readbench.c}) on the same
 * pinned map in the same run. Each Java pass runs right after its own C reference, and the ratio
 * is the median of the passes' ratios, so that drift between passes hits both sides alike.
 */
final class ReadBench {
  static final int ENTRIES = 1_000_000;
  static final int KEY = 16;
  static final int VALUE = 64;
  static final int BATCH = 4096;

  /** Rounds of the batch read, each a Java pass right after C's (its median of three passes). */
  private static final int ROUNDS = 12;

  private ReadBench() {}

  static void run() {
    Path pin = Path.of("/sys/fs/bpf/bpfmap-bench-" + ProcessHandle.current().pid());
    try (BpfMap map = filledHash("bench_read", ENTRIES)) {
      map.pin(pin);
      try (BatchCursor cursor = map.batchCursor(BATCH, false)) {
        for (int i = 0; i < 5; i++) {
          check(readBatch(cursor), ENTRIES);
        }
        List<Double> java = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
          c.add(cReference(pin, "batch", 3));
          long t0 = System.nanoTime();
          check(readBatch(cursor), ENTRIES);
          java.add(ENTRIES / ((System.nanoTime() - t0) / 1e9));
        }
        Bench.reportPaired("read.hash.1M.batch", "java_eps", java, "c_eps", c, "batch=" + BATCH);
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment k = a.allocate(KEY);
        MemorySegment next = a.allocate(KEY);
        MemorySegment v = a.allocate(VALUE);
        readPerKey(map, k, next, v, 50_000);
        List<Double> java = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          c.add(cReference(pin, "perkey", 1));
          long t0 = System.nanoTime();
          check(readPerKey(map, k, next, v, Long.MAX_VALUE), ENTRIES);
          java.add(ENTRIES / ((System.nanoTime() - t0) / 1e9));
        }
        Bench.reportPaired("read.hash.1M.perkey", "java_eps", java, "c_eps", c);
      }
    } finally {
      try {
        Files.deleteIfExists(pin);
      } catch (IOException ignored) {
        // best effort: the pin lives in a per-pid name
      }
    }
  }

  /** A hash map holding keys 0..n-1 (16-byte keys, 64-byte values), filled by batch update. */
  static BpfMap filledHash(String name, int n) {
    BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, name, KEY, VALUE, n));
    int chunk = 65_536;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment keys = a.allocate((long) chunk * KEY, 8);
      MemorySegment values = a.allocate((long) chunk * VALUE, 8);
      for (int base = 0; base < n; base += chunk) {
        int count = Math.min(chunk, n - base);
        for (int i = 0; i < count; i++) {
          long id = base + i;
          keys.set(ValueLayout.JAVA_LONG, (long) i * KEY, id);
          keys.set(ValueLayout.JAVA_LONG, (long) i * KEY + 8, ~id);
          for (int w = 0; w < VALUE / 8; w++) {
            values.set(ValueLayout.JAVA_LONG, (long) i * VALUE + w * 8L, id * 8 + w);
          }
        }
        map.updateBatch(keys, values, count);
      }
    } catch (RuntimeException e) {
      map.close();
      throw e;
    }
    return map;
  }

  static long readBatch(BatchCursor cursor) {
    cursor.reset();
    long n = 0;
    for (int got = cursor.next(); got > 0; got = cursor.next()) {
      n += got;
    }
    return n;
  }

  static long readPerKey(BpfMap map, MemorySegment key, MemorySegment next, MemorySegment value, long max) {
    long n = 0;
    MemorySegment prev = null;
    while (n < max && map.nextKey(prev, next)) {
      if (map.lookup(next, value)) {
        n++;
      }
      MemorySegment.copy(next, 0, key, 0, KEY);
      prev = key;
    }
    return n;
  }

  /** Runs the C reader on the pin; returns its median entries/s. */
  static double cReference(Path pin, String mode, int passes) {
    String bin = System.getProperty("bpfmap.bench.c", "benchmarks/build/readbench");
    try {
      Process p = new ProcessBuilder(bin, pin.toString(), mode, String.valueOf(passes), String.valueOf(BATCH))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !out.startsWith("c_eps=")) {
        throw new IllegalStateException("C reference failed: " + out);
      }
      String[] parts = out.split(" ");
      check(Long.parseLong(parts[1].substring("entries=".length())), ENTRIES);
      return Double.parseDouble(parts[0].substring("c_eps=".length()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run the C reference " + bin + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static void check(long got, long want) {
    if (got != want) {
      throw new IllegalStateException("read " + got + " entries, expected " + want);
    }
  }
}
