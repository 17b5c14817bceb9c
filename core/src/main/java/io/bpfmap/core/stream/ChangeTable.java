package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * What CHANGES mode remembers between cycles: per key, a fingerprint of its visible value and the
 * cycle it was last seen in. Open addressing with linear probing over flat arrays (key bytes, one
 * long and one int per slot), no object per key; deletion shifts back, leaving no tombstones.
 * Not thread-safe (one cycle runs at a time).
 */
final class ChangeTable {
  private static final long EMPTY = 0;

  private final int keySize;
  private byte[] keys;
  private long[] fingerprints;
  private int[] seen;
  private int size;
  private int mask;

  ChangeTable(int keySize, int expected) {
    this.keySize = Math.max(1, keySize);
    allocate(Math.max(16, Integer.highestOneBit(Math.max(1, expected) * 4 / 3) << 1));
  }

  /** What {@link #put} found. */
  enum Change { NEW, CHANGED, SAME }

  /**
   * Records that {@code key} (at {@code off} of {@code m}) has value {@code fingerprint} in
   * {@code cycle}; says whether it is new, changed or the same as last seen.
   */
  Change put(MemorySegment m, long off, long fingerprint, int cycle) {
    long fp = fingerprint == EMPTY ? 1 : fingerprint;
    int slot = (int) Hash.mix(0, m, off, keySize) & mask;
    while (fingerprints[slot] != EMPTY) {
      if (sameKey(slot, m, off)) {
        long old = fingerprints[slot];
        fingerprints[slot] = fp;
        seen[slot] = cycle;
        return old == fp ? Change.SAME : Change.CHANGED;
      }
      slot = (slot + 1) & mask;
    }
    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, off, keys, slot * keySize, keySize);
    fingerprints[slot] = fp;
    seen[slot] = cycle;
    if (++size * 4 > fingerprints.length * 3) {
      grow();
    }
    return Change.NEW;
  }

  /** True when {@code key} was seen in {@code cycle} already (per-key iteration can repeat keys). */
  boolean seenIn(MemorySegment m, long off, int cycle) {
    int slot = (int) Hash.mix(0, m, off, keySize) & mask;
    while (fingerprints[slot] != EMPTY) {
      if (sameKey(slot, m, off)) {
        return seen[slot] == cycle;
      }
      slot = (slot + 1) & mask;
    }
    return false;
  }

  /** Removes every key not seen in {@code cycle}; returns their bytes, end to end. */
  byte[] removeUnseen(int cycle) {
    int gone = 0;
    for (int s = 0; s < seen.length; s++) {
      if (fingerprints[s] != EMPTY && seen[s] != cycle) {
        gone++;
      }
    }
    byte[] out = new byte[gone * keySize];
    int n = 0;
    for (int s = 0; s < seen.length; s++) {
      if (fingerprints[s] != EMPTY && seen[s] != cycle) {
        System.arraycopy(keys, s * keySize, out, n++ * keySize, keySize);
      }
    }
    MemorySegment removed = MemorySegment.ofArray(out);
    for (int i = 0; i < n; i++) {
      remove(removed, (long) i * keySize);
    }
    return out;
  }

  int size() {
    return size;
  }

  /** Bytes the table holds on the heap (its arrays). */
  long retainedBytes() {
    return keys.length + 8L * fingerprints.length + 4L * seen.length;
  }

  private void remove(MemorySegment m, long off) {
    int slot = (int) Hash.mix(0, m, off, keySize) & mask;
    while (fingerprints[slot] != EMPTY && !sameKey(slot, m, off)) {
      slot = (slot + 1) & mask;
    }
    if (fingerprints[slot] == EMPTY) {
      return;
    }
    size--;
    // Shift later members of the probe run back so that lookups never cross a hole.
    int hole = slot;
    int next = (hole + 1) & mask;
    while (fingerprints[next] != EMPTY) {
      int home = (int) Hash.mix(0, MemorySegment.ofArray(keys), (long) next * keySize, keySize) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        System.arraycopy(keys, next * keySize, keys, hole * keySize, keySize);
        fingerprints[hole] = fingerprints[next];
        seen[hole] = seen[next];
        hole = next;
      }
      next = (next + 1) & mask;
    }
    fingerprints[hole] = EMPTY;
  }

  private boolean sameKey(int slot, MemorySegment m, long off) {
    return MemorySegment.mismatch(MemorySegment.ofArray(keys), (long) slot * keySize, (long) (slot + 1) * keySize,
        m, off, off + keySize) == -1;
  }

  private void grow() {
    byte[] oldKeys = keys;
    long[] oldFps = fingerprints;
    int[] oldSeen = seen;
    allocate(fingerprints.length * 2);
    MemorySegment ok = MemorySegment.ofArray(oldKeys);
    for (int s = 0; s < oldFps.length; s++) {
      if (oldFps[s] != EMPTY) {
        int slot = (int) Hash.mix(0, ok, (long) s * keySize, keySize) & mask;
        while (fingerprints[slot] != EMPTY) {
          slot = (slot + 1) & mask;
        }
        System.arraycopy(oldKeys, s * keySize, keys, slot * keySize, keySize);
        fingerprints[slot] = oldFps[s];
        seen[slot] = oldSeen[s];
      }
    }
  }

  private void allocate(int slots) {
    keys = new byte[slots * keySize];
    fingerprints = new long[slots];
    seen = new int[slots];
    Arrays.fill(seen, -1);
    mask = slots - 1;
  }
}
