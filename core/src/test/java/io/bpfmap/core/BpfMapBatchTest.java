package io.bpfmap.core;

import static io.bpfmap.core.testing.TestBytes.firstLong;
import static io.bpfmap.core.testing.TestBytes.hex;
import static io.bpfmap.core.testing.TestBytes.key;
import static io.bpfmap.core.testing.TestBytes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.KernelTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@KernelTest
class BpfMapBatchTest {
  private static final int KEY = 16;
  private static final int VALUE = 64;

  /** A hash map holding keys 0..n-1, filled by batch update. */
  private static BpfMap filledHash(int n, int maxEntries) {
    BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_batch", KEY, VALUE, maxEntries));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment keys = a.allocate((long) n * KEY);
      MemorySegment values = a.allocate((long) n * VALUE);
      for (int i = 0; i < n; i++) {
        MemorySegment.copy(key(KEY, i), 0, keys, ValueLayout.JAVA_BYTE, (long) i * KEY, KEY);
        MemorySegment.copy(value(VALUE, i, 0), 0, values, ValueLayout.JAVA_BYTE, (long) i * VALUE, VALUE);
      }
      assertThat(map.updateBatch(keys, values, n)).isEqualTo(n);
    } catch (RuntimeException | AssertionError e) {
      map.close();
      throw e;
    }
    return map;
  }

  private static Map<String, String> readAll(BpfMap map, int batchSize, List<Integer> capacities) {
    Map<String, String> seen = new HashMap<>();
    try (BatchCursor c = map.batchCursor(batchSize, false)) {
      for (int n = c.next(); n > 0; n = c.next()) {
        for (int i = 0; i < n; i++) {
          String k = hex(BpfMap.bytes(c.key(i)));
          assertThat(seen.put(k, hex(BpfMap.bytes(c.value(i))))).as("key %s seen twice", k).isNull();
        }
      }
      capacities.add(c.capacity());
    }
    return seen;
  }

  private static Map<String, String> expected(int n) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(hex(key(KEY, i)), hex(value(VALUE, i, 0)));
    }
    return m;
  }

  @ParameterizedTest
  @CsvSource({"1, 4096", "1000, 4096", "100000, 4096", "100000, 333"})
  void batchLookupReturnsExactlyTheEntriesPresent(int n, int batchSize) {
    try (BpfMap map = filledHash(n, n)) {
      assertThat(readAll(map, batchSize, new ArrayList<>())).isEqualTo(expected(n));
    }
  }

  @Test
  void batchSmallerThanABucketGrowsOnEnospc() {
    List<Integer> capacities = new ArrayList<>();
    try (BpfMap map = filledHash(100_000, 100_000)) {
      assertThat(readAll(map, 1, capacities)).isEqualTo(expected(100_000));
    }
    assertThat(capacities.getFirst()).as("buffer grew past one entry").isGreaterThan(1);
  }

  @Test
  void batchLookupUnderConcurrentUpdatesSeesEveryUntouchedEntryOnce() throws Exception {
    int n = 100_000;
    try (BpfMap map = filledHash(n, 2 * n)) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      Thread writer = Thread.ofPlatform().start(() -> {
        try {
          // Only odd keys and keys >= n are touched: updated, deleted, re-inserted, added.
          for (long round = 0; !stop.get(); round++) {
            for (int i = 1; i < n && !stop.get(); i += 64) {
              long k = i + (round % 32) * 2;
              map.update(key(KEY, k), value(VALUE, k, round));
              map.delete(key(KEY, n + k));
              map.update(key(KEY, n + k + 2), value(VALUE, k, round));
            }
          }
        } catch (Throwable t) {
          writerError.set(t);
        }
      });
      try {
        for (int pass = 0; pass < 5; pass++) {
          Map<String, String> seen = readAll(map, 256, new ArrayList<>());
          for (int i = 0; i < n; i += 2) {
            assertThat(seen).containsEntry(hex(key(KEY, i)), hex(value(VALUE, i, 0)));
          }
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(writerError.get()).isNull();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 100, 4096})
  void lookupAndDeleteBatchEmptiesTheMapAndReturnsEveryEntryOnce(int batchSize) {
    int n = 10_000;
    try (BpfMap map = filledHash(n, n)) {
      Map<String, String> seen = new HashMap<>();
      try (BatchCursor c = map.batchCursor(batchSize, true)) {
        for (int got = c.next(); got > 0; got = c.next()) {
          for (int i = 0; i < got; i++) {
            assertThat(seen.put(hex(BpfMap.bytes(c.key(i))), hex(BpfMap.bytes(c.value(i))))).isNull();
          }
        }
      }
      assertThat(seen).isEqualTo(expected(n));
      assertThat(map.nextKey(null)).as("map is empty").isEmpty();
    }
  }

  @Test
  void batchLookupOfAnArrayReturnsEveryIndex() {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.ARRAY, "t_array", 4, 8, 1000))) {
      map.update(key(4, 999), value(8, 999, 0));
      List<Entry> entries = map.entries();
      assertThat(entries).hasSize(1000);
      assertThat(entries.getLast()).isEqualTo(new Entry(key(4, 999), value(8, 999, 0)));
    }
  }

  @Test
  void batchLookupOfPerCpuHashCarriesEveryCpusValue() {
    int cpus = BpfMap.possibleCpus();
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_pcpu", 8, 8, 100))) {
      for (int i = 0; i < 100; i++) {
        map.update(key(8, i), value(8, i, 0));
      }
      Set<Long> keys = new HashSet<>();
      for (Entry e : map.entries()) {
        assertThat(e.value()).hasSize(8 * cpus);
        assertThat(firstLong(e.value())).isEqualTo(firstLong(e.key()) * 1000);
        keys.add(firstLong(e.key()));
      }
      assertThat(keys).hasSize(100);
    }
  }

  @Test
  void deleteBatchRemovesTheGivenKeys() {
    try (BpfMap map = filledHash(100, 100)) {
      List<byte[]> gone = new ArrayList<>();
      for (int i = 0; i < 100; i += 2) {
        gone.add(key(KEY, i));
      }
      assertThat(map.deleteBatch(gone)).isEqualTo(50);
      assertThat(map.entries()).hasSize(50).allSatisfy(e -> assertThat(firstLong(e.key()) % 2).isEqualTo(1));
      assertThatThrownBy(() -> map.deleteBatch(List.of(key(KEY, 1), key(KEY, 0))))
          .hasMessage("batch delete on map 't_batch': ENOENT (No such file or directory): stopped after 1 of 2 entries");
    }
  }

  @Test
  void entriesFallBackToPerKeyIterationWhereBatchIsUnsupported() {
    // A device map keyed by u32 whose values are ifindexes; 1 is the loopback device.
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.DEVMAP_HASH, "t_devmap", 4, 4, 16))) {
      map.update(key(4, 7), key(4, 1));
      assertThatThrownBy(() -> {
        try (BatchCursor c = map.batchCursor(16, false)) {
          c.next();
        }
      }).isInstanceOf(UnsupportedFeatureException.class)
          .hasMessage("batch lookup on map 't_devmap': ENOTSUPP (Operation not supported by this map): "
              + "batch lookup on devmap_hash maps is not supported here");
      assertThat(map.entries()).containsExactly(new Entry(key(4, 7), key(4, 1)));
    }
  }

  @Test
  void batchUpdateWritesEveryEntryAndReplacesExistingOnes() {
    try (BpfMap map = filledHash(10, 20)) {
      List<byte[]> keys = new ArrayList<>();
      List<byte[]> values = new ArrayList<>();
      for (int i = 5; i < 15; i++) {
        keys.add(key(KEY, i));
        values.add(value(VALUE, i, 1));
      }
      assertThat(map.updateBatch(keys, values)).isEqualTo(10);
      assertThat(map.entries()).hasSize(15);
      assertThat(map.lookup(key(KEY, 4))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(VALUE, 4, 0)));
      assertThat(map.lookup(key(KEY, 5))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(VALUE, 5, 1)));
      assertThatThrownBy(() -> map.updateBatch(keys, values.subList(0, 3)))
          .hasMessage("batch update on map 't_batch': 10 keys but 3 values");
    }
  }

  @Test
  void batchSizeMustBePositive() {
    try (BpfMap map = filledHash(1, 1)) {
      assertThatThrownBy(() -> map.batchCursor(0, false))
          .hasMessage("batch lookup on map 't_batch': batch size must be at least 1 (got 0)");
    }
  }
}
