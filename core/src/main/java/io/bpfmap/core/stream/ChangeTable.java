package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * What CHANGES mode remembers between cycles: per key, a fingerprint of its visible value and the
 * cycle it was last seen in. Sized by the live keys, never by the map's {@code max_entries}: it
 * grows as keys arrive and shrinks as they go.
 *
 * <p>Entries are dense, in chunks of {@code long}s (fingerprint, last-seen cycle with 32 bits of
 * the key's hash, then the key bytes), addressed with {@code long} byte offsets so that no product
 * of entries and key size can overflow. An open-addressing index of {@code int}s (linear probing,
 * load at most 3/4, deletion by backward shift) points into them. A removed entry is replaced by
 * the last one, so the chunks stay dense and trailing ones are freed. Per live entry this costs
 * 16 bytes, the key rounded up to 8, and 5.3–10.7 bytes of index (plus at most one spare chunk).
 * Not thread-safe (one cycle runs at a time).
 */
final class ChangeTable {
  /** The fingerprint of a key whose value must be emitted again whatever it is ({@link #forget}). */
  static final long UNKNOWN = 1;
  private static final int CHUNK_SHIFT = 12;
  private static final int CHUNK = 1 << CHUNK_SHIFT;
  private static final int FIRST_CHUNK = 16;
  private static final int MIN_INDEX = 16;

  private final int keySize;
  /** Longs per entry: fingerprint, hash and seen, then the key. */
  private final int stride;
  private long[][] chunks = new long[0][];
  private MemorySegment[] views = new MemorySegment[0];
  /** Entries chunk 0 can hold: it grows to {@link #CHUNK} before a second chunk is added. */
  private int firstCapacity;
  private int[] index;
  private int mask;
  private int size;
  private int sweep = -1;
  /** What {@link #prefetch} read, kept so that the reads are not optimised away. */
  private long touched;

  ChangeTable(int keySize) {
    this.keySize = keySize;
    this.stride = 2 + (keySize + 7) / 8;
    allocateIndex(MIN_INDEX);
  }

  /** What {@link #put} found. */
  enum Change { NEW, CHANGED, SAME }

  /**
   * Records that the key at {@code off} of {@code m} has value {@code fingerprint} in
   * {@code cycle}; says whether it is new, changed or the same as last seen.
   */
  Change put(MemorySegment m, long off, long fingerprint, int cycle) {
    return put(m, off, fingerprint, cycle, hash(m, off, keySize));
  }

  /** The hash the table indexes the key of {@code keySize} bytes at {@code off} of {@code m} by. */
  static int hash(MemorySegment m, long off, int keySize) {
    return (int) Hash.mix(0, m, off, keySize);
  }

  /** {@link #put}, with the key's {@link #hash} computed already. */
  Change put(MemorySegment m, long off, long fingerprint, int cycle, int h) {
    long fp = stored(fingerprint);
    int e = find(m, off, h);
    if (e >= 0) {
      long[] c = chunks[e >>> CHUNK_SHIFT];
      int base = (e & (CHUNK - 1)) * stride;
      long old = c[base];
      c[base] = fp;
      c[base + 1] = (c[base + 1] & 0xFFFF_FFFF_0000_0000L) | (cycle & 0xFFFF_FFFFL);
      return old == fp ? Change.SAME : Change.CHANGED;
    }
    insert(m, off, h, fp, cycle);
    return Change.NEW;
  }

  /**
   * Reads the index slots, then the entries, that {@link #put} will probe for the keys of
   * {@code hashes[from]} to {@code hashes[to - 1]}, in two passes of independent loads: their cache misses overlap, where
   * {@link #put} one key after another would wait for each (in a table of a million keys, nearly
   * every probe misses). An entry's key may start on the next cache line: both are read. Changes
   * nothing.
   */
  void prefetch(int[] hashes, int from, int to) {
    int[] idx = index;
    int msk = mask;
    long sink = 0;
    for (int i = from; i < to; i++) {
      sink += idx[hashes[i] & msk];
    }
    for (int i = from; i < to; i++) {
      int e = idx[hashes[i] & msk] - 1;
      if (e >= 0) {
        long[] c = chunks[e >>> CHUNK_SHIFT];
        int base = (e & (CHUNK - 1)) * stride;
        sink += c[base + 1] + c[base + stride - 1];
      }
    }
    touched = sink;
  }

  /** True when the key was seen in {@code cycle} already (per-key iteration can repeat keys). */
  boolean seenIn(MemorySegment m, long off, int cycle) {
    int e = find(m, off, hash(m, off, keySize));
    return e >= 0 && seen(e) == cycle;
  }

  /**
   * Makes the next cycle emit this key again: an UPSERT of its value if it is in the map then, a
   * DELETE if it is not. {@code lastCycle} is the cycle that ran last (the key counts as seen in
   * it, so that its absence from the next one is a delete).
   */
  void forget(byte[] key, int lastCycle) {
    set(key, UNKNOWN, lastCycle);
  }

  /** Sets a key's stored fingerprint; a key not held yet counts as seen in {@code cycle}. */
  private void set(byte[] key, long storedFingerprint, int cycle) {
    MemorySegment m = MemorySegment.ofArray(key);
    int h = hash(m, 0, keySize);
    int e = find(m, 0, h);
    if (e >= 0) {
      chunks[e >>> CHUNK_SHIFT][(e & (CHUNK - 1)) * stride] = storedFingerprint;
    } else {
      insert(m, 0, h, storedFingerprint, cycle);
    }
  }


  /** Removes this key, if present (a delete Kafka acknowledged). */
  void delete(byte[] key) {
    MemorySegment m = MemorySegment.ofArray(key);
    int e = find(m, 0, hash(m, 0, keySize));
    if (e >= 0) {
      remove(e);
    }
  }

  /** One entry: a key and the fingerprint of its value. */
  @FunctionalInterface
  interface EntryConsumer {
    void accept(byte[] key, long fingerprint);
  }

  /** Every entry, keys copied. */
  void forEach(EntryConsumer out) {
    for (int e = 0; e < size; e++) {
      byte[] key = new byte[keySize];
      MemorySegment.copy(views[e >>> CHUNK_SHIFT], ValueLayout.JAVA_BYTE, keyOffset(e), key, 0, keySize);
      out.accept(key, chunks[e >>> CHUNK_SHIFT][(e & (CHUNK - 1)) * stride]);
    }
  }

  /** A copy whose keys all count as last seen in {@code cycle}. */
  ChangeTable copySeenIn(int cycle) {
    ChangeTable t = new ChangeTable(keySize);
    forEach((key, fp) -> {
      MemorySegment m = MemorySegment.ofArray(key);
      t.insert(m, 0, hash(m, 0, keySize), fp, cycle);
    });
    return t;
  }

  /** Sets a key's fingerprint as a stored one (never remapped: it came from {@link #put} or a file). */
  void putStored(byte[] key, long storedFingerprint) {
    set(key, storedFingerprint, 0);
  }


  /** The fingerprint {@link #put} stores for a value's {@code fingerprint}. */
  static long stored(long fingerprint) {
    return fingerprint == 0 || fingerprint == UNKNOWN ? fingerprint + 2 : fingerprint;
  }

  int keySize() {
    return keySize;
  }

  /** Starts a pass of {@link #removeNextUnseen} over the entries as they are now. */
  void startSweep() {
    sweep = size;
  }

  /**
   * Removes the next key (of this sweep) not seen in {@code cycle} and returns its bytes; null when
   * there are no more. Entries are visited from the last down, so the entry that fills a hole has
   * been visited already.
   */
  byte[] removeNextUnseen(int cycle) {
    while (--sweep >= 0) {
      if (seen(sweep) != cycle) {
        byte[] key = new byte[keySize];
        MemorySegment.copy(views[sweep >>> CHUNK_SHIFT], ValueLayout.JAVA_BYTE, keyOffset(sweep), key, 0, keySize);
        remove(sweep);
        return key;
      }
    }
    shrink();
    return null;
  }

  int size() {
    return size;
  }

  /** Bytes the table holds on the heap (its arrays). */
  long retainedBytes() {
    long bytes = 4L * index.length;
    for (long[] c : chunks) {
      bytes += c == null ? 0 : 8L * c.length;
    }
    return bytes;
  }

  private int seen(int e) {
    return (int) chunks[e >>> CHUNK_SHIFT][(e & (CHUNK - 1)) * stride + 1];
  }

  private int hash(int e) {
    return (int) (chunks[e >>> CHUNK_SHIFT][(e & (CHUNK - 1)) * stride + 1] >>> 32);
  }

  /** Byte offset of entry e's key within its chunk's view. */
  private long keyOffset(int e) {
    return ((long) (e & (CHUNK - 1)) * stride + 2) * 8;
  }

  /** The entry holding this key, or -1. */
  private int find(MemorySegment m, long off, int h) {
    for (int slot = h & mask; index[slot] != 0; slot = (slot + 1) & mask) {
      int e = index[slot] - 1;
      if (hash(e) == h && sameKey(e, m, off)) {
        return e;
      }
    }
    return -1;
  }

  private boolean sameKey(int e, MemorySegment m, long off) {
    long at = keyOffset(e);
    return MemorySegment.mismatch(views[e >>> CHUNK_SHIFT], at, at + keySize, m, off, off + keySize) == -1;
  }

  private void insert(MemorySegment m, long off, int h, long fp, int cycle) {
    int e = size;
    ensureEntry(e);
    long[] c = chunks[e >>> CHUNK_SHIFT];
    int base = (e & (CHUNK - 1)) * stride;
    c[base] = fp;
    c[base + 1] = ((long) h << 32) | (cycle & 0xFFFF_FFFFL);
    MemorySegment.copy(m, off, views[e >>> CHUNK_SHIFT], keyOffset(e), keySize);
    size++;
    int slot = h & mask;
    while (index[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    index[slot] = e + 1;
    if ((long) size * 4 > (long) index.length * 3) {
      allocateIndex(index.length * 2);
    }
  }

  /** Removes entry e: its index slot by backward shift, then the last entry moves into its place. */
  private void remove(int e) {
    unindex(e);
    int last = size - 1;
    if (e != last) {
      long[] from = chunks[last >>> CHUNK_SHIFT];
      long[] to = chunks[e >>> CHUNK_SHIFT];
      System.arraycopy(from, (last & (CHUNK - 1)) * stride, to, (e & (CHUNK - 1)) * stride, stride);
      index[slotOf(last)] = e + 1;
    }
    size--;
  }

  /** The index slot that points at entry e. */
  private int slotOf(int e) {
    int slot = hash(e) & mask;
    while (index[slot] != e + 1) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void unindex(int e) {
    int hole = slotOf(e);
    for (int next = (hole + 1) & mask; index[next] != 0; next = (next + 1) & mask) {
      int home = hash(index[next] - 1) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        index[hole] = index[next];
        hole = next;
      }
    }
    index[hole] = 0;
  }

  private void ensureEntry(int e) {
    int chunk = e >>> CHUNK_SHIFT;
    if (chunk == 0) {
      if (e >= firstCapacity) {
        firstCapacity = firstCapacity == 0 ? FIRST_CHUNK : Math.min(CHUNK, firstCapacity * 2);
        long[] grown = Arrays.copyOf(chunks.length == 0 ? new long[0] : chunks[0], firstCapacity * stride);
        if (chunks.length == 0) {
          chunks = new long[1][];
          views = new MemorySegment[1];
        }
        setChunk(0, grown);
      }
    } else if (chunk >= chunks.length || chunks[chunk] == null) {
      if (chunk >= chunks.length) {
        chunks = Arrays.copyOf(chunks, Math.max(chunk + 1, chunks.length * 2));
        views = Arrays.copyOf(views, chunks.length);
      }
      setChunk(chunk, new long[CHUNK * stride]);
    }
  }

  private void setChunk(int i, long[] c) {
    chunks[i] = c;
    views[i] = c == null ? null : MemorySegment.ofArray(c);
  }

  /** After a sweep: frees chunks beyond one spare and shrinks the index and the first chunk. */
  private void shrink() {
    int used = size == 0 ? 0 : ((size - 1) >>> CHUNK_SHIFT) + 1;
    for (int i = used <= 1 ? 1 : used + 1; i < chunks.length; i++) {
      setChunk(i, null);
    }
    if (used <= 1 && firstCapacity > FIRST_CHUNK && size * 4 < firstCapacity) {
      firstCapacity = Math.max(FIRST_CHUNK, Integer.highestOneBit(Math.max(1, size)) * 2);
      setChunk(0, Arrays.copyOf(chunks[0], firstCapacity * stride));
    }
    if (index.length > MIN_INDEX && (long) size * 8 < index.length) {
      allocateIndex(Math.max(MIN_INDEX, Integer.highestOneBit(Math.max(1, size)) * 4));
    }
  }

  /** A new index of {@code slots} slots, filled from the entries' stored hashes. */
  private void allocateIndex(int slots) {
    index = new int[slots];
    mask = slots - 1;
    for (int e = 0; e < size; e++) {
      int slot = hash(e) & mask;
      while (index[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      index[slot] = e + 1;
    }
  }
}
