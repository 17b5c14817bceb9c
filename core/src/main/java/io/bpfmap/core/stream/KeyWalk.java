package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import java.lang.foreign.MemorySegment;
import java.util.function.Predicate;

/**
 * A map read one key at a time ({@code get_next_key}, then lookup), for map types and kernels
 * without batch lookup. Under concurrent writes the kernel's walk repeats keys (an updated key
 * moves to the head of its bucket) and starts over from the first key when the key it was asked
 * to continue from is gone. A key already read in the cycle is skipped, so none is delivered
 * twice; after a restart the walk goes on past the keys it has seen, so keys nobody touched are
 * all read. Only when the walk passes its step budget (4 × max_entries + 64) does the cycle end
 * early: {@link #incomplete()}. Not thread-safe: one cycle at a time.
 */
final class KeyWalk {
  private final BpfMap map;
  private final int keySize;
  private final MemorySegment key;
  private final MemorySegment next;
  private final MemorySegment value;
  private final long budget;
  /** Keys read in this cycle, when the caller keeps none of its own (SNAPSHOT). */
  private ChangeTable seen;
  private boolean started;
  private long steps;
  private long repeats;
  private boolean incomplete;

  /** Its buffers come from {@code arena}, whose owner frees them. */
  KeyWalk(BpfMap map, java.lang.foreign.Arena arena) {
    this.map = map;
    this.keySize = map.keySize();
    this.key = arena.allocate(Math.max(1, keySize), 8);
    this.next = arena.allocate(Math.max(1, keySize), 8);
    this.value = arena.allocate(Math.max(1, map.valueBufferSize()), 8);
    this.budget = 4L * Math.max(1, map.info().maxEntries()) + 64;
  }

  /** {@return the buffer holding the key last read} */
  MemorySegment key() {
    return key;
  }

  /** {@return the buffer holding the value last read} */
  MemorySegment value() {
    return value;
  }

  /** Starts a cycle's walk from the first key. */
  void begin() {
    seen = null;
    started = false;
    steps = 0;
    repeats = 0;
    incomplete = false;
  }

  /**
   * Reads the next key not read before in this cycle, and its value, into the buffers; false at
   * the end. {@code readBefore} says whether a key was read already; null: the walk keeps its own
   * record of the keys it returned.
   */
  boolean next(Predicate<MemorySegment> readBefore) {
    while (true) {
      if (steps++ >= budget) {
        incomplete = true;
        return false;
      }
      if (!map.nextKey(started ? key : null, next)) {
        return false;
      }
      started = true;
      MemorySegment.copy(next, 0, key, 0, keySize);
      if (readBefore != null ? readBefore.test(key) : !firstTime()) {
        repeats++;
        continue;
      }
      if (map.lookup(key, value)) {
        return true;
      }
    }
  }

  /** DRAIN: takes exactly one entry (the first key) out of the map; false when it is empty. */
  boolean drainOne() {
    while (map.nextKey(null, key)) {
      if (map.lookupAndDelete(key, value)) {
        return true;
      }
    }
    return false;
  }

  /** True when this cycle's walk ran out of its step budget: keys it did not reach are not in it. */
  boolean incomplete() {
    return incomplete;
  }

  /** Keys the kernel gave again in this cycle (skipped). */
  long repeats() {
    return repeats;
  }

  private boolean firstTime() {
    if (seen == null) {
      seen = new ChangeTable(keySize);
    }
    return seen.put(key, 0, 2, 0) == ChangeTable.Change.NEW;
  }
}
