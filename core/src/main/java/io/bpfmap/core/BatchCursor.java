package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Structs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reads a map in batches with {@code bpf_map_lookup_batch} (or lookup-and-delete). Each
 * {@link #next()} fills the cursor's key and value buffers, which are allocated once and reused:
 * slices returned by {@link #key(int)} and {@link #value(int)} are valid until the next call
 * (with {@link #sets} buffer sets, until the next read into the same set).
 *
 * <p>A partial last batch (ENOENT with entries) is returned like any other; a hash bucket larger
 * than the buffer (ENOSPC with none) doubles the buffer and retries. Kernels or map types without
 * batch support raise {@link UnsupportedFeatureException}, so callers can fall back to per-key
 * iteration. Not for concurrent use (one thread at a time); {@link #reset()} starts a new pass.
 * Made by {@link BpfMap#batchCursor}; it borrows the map's fd for each read, and owns its buffers.
 *
 * <p>Each read throws {@link BpfException} when the map is closed or the kernel fails, and
 * {@link UnsupportedFeatureException} where batch operations are missing.
 */
public final class BatchCursor implements AutoCloseable {
  private final BpfMap map;
  private final boolean delete;
  private final String operation;
  // Shared: successive cycles of a stream may run on different threads of its scheduler.
  private final Arena arena = Arena.ofShared();
  private final int keySize;
  private final int valueStride;
  private final MemorySegment inToken;
  private final MemorySegment outToken;
  private final MemorySegment count;
  private final MemorySegment opts;
  private MemorySegment keys;
  private MemorySegment values;
  private int capacity;
  /** With {@link #sets}: the buffer sets, of which {@link #use} picks the one reads write into; null before. */
  private MemorySegment[] keySets;
  private MemorySegment[] valueSets;
  private int set;
  private boolean started;
  private boolean done;

  BatchCursor(BpfMap map, int batchSize, boolean delete) {
    if (batchSize < 1) {
      throw new BpfException(delete ? "batch lookup and delete" : "batch lookup", map.target(), 0,
          "batch size must be at least 1 (got " + batchSize + ")");
    }
    this.map = map;
    this.delete = delete;
    this.operation = delete ? "batch lookup and delete" : "batch lookup";
    this.keySize = map.keySize();
    this.valueStride = map.valueBufferSize();
    int token = Math.max(8, keySize);
    this.inToken = arena.allocate(token, 8);
    this.outToken = arena.allocate(token, 8);
    this.count = arena.allocate(JAVA_INT);
    this.opts = Structs.batchOpts(arena, 0);
    allocate(batchSize);
  }

  /** {@return how many entries the next batch read into the buffers; 0 when the pass is over} */
  public int next() {
    return next(capacity);
  }

  /**
   * Reads at most {@code max} entries (at most the buffer's capacity); the kernel may need more
   * room for one hash bucket, in which case the buffer grows and the batch may exceed {@code max}.
   * @param max the entries wanted; below 1 counts as 1
   * @return how many entries the batch holds; 0 when the pass is over
   * @throws BpfException (ENOSPC) when one bucket does not fit even {@code max_entries} entries
   */
  public int next(int max) {
    return read(max, false);
  }

  /**
   * Reads at most {@code max} entries and never more: returns {@link #NEEDS_MORE} (reading
   * nothing) when the next hash bucket holds more than {@code max}. For lookup-and-delete, where
   * taking more than asked for would drain entries nobody requested.
   * @param max the most entries to read; below 1 counts as 1
   * @return how many entries the batch holds, 0 when the pass is over, or {@link #NEEDS_MORE}
   */
  public int nextAtMost(int max) {
    return read(max, true);
  }

  /** What {@link #nextAtMost} returns when the next bucket does not fit. */
  public static final int NEEDS_MORE = -1;

  /**
   * Gives the cursor {@code count} buffer sets, so that a batch's buffers stay valid while the
   * next batches are read into other sets (on another thread, one read at a time): {@link #use}
   * picks the set the next reads write into; set 0 until then. A set is allocated at its first
   * use. Call it before the first read.
   * @param count how many sets, at least 1
   * @return this cursor
   */
  public BatchCursor sets(int count) {
    if (keySets == null) {
      keySets = new MemorySegment[Math.max(1, count)];
      valueSets = new MemorySegment[keySets.length];
      keySets[0] = keys;
      valueSets[0] = values;
    }
    return this;
  }

  /**
   * Makes the next reads write into buffer set {@code set} (allocating it, or a larger one after
   * the buffers grew); {@link #keys()} and {@link #values()} are that set's from now on.
   * @param set from 0 to the count given to {@link #sets} - 1
   * @throws IndexOutOfBoundsException for another set, or before {@link #sets}
   */
  public void use(int set) {
    if (keySets == null || set < 0 || set >= keySets.length) {
      throw new IndexOutOfBoundsException("buffer set " + set + " of " + (keySets == null ? 1 : keySets.length));
    }
    this.set = set;
    MemorySegment k = keySets[set];
    if (k == null || k.byteSize() < Math.max(1L, (long) capacity * keySize)) {
      allocate(capacity);
    } else {
      keys = k;
      values = valueSets[set];
    }
  }

  private int read(int max, boolean exact) {
    if (done) {
      return 0;
    }
    int want = Math.max(1, Math.min(max, capacity));
    while (true) {
      count.set(JAVA_INT, 0, want);
      int f = map.acquire(operation);
      int rc;
      try {
        MemorySegment in = started ? inToken : MemorySegment.NULL;
        rc = delete
            ? Libbpf.lookupAndDeleteBatch(f, in, outToken, keys, values, count, opts)
            : Libbpf.lookupBatch(f, in, outToken, keys, values, count, opts);
      } finally {
        map.release();
      }
      int n = count.get(JAVA_INT, 0);
      if (rc == 0 || rc == -Errno.ENOENT) {
        MemorySegment.copy(outToken, 0, inToken, 0, inToken.byteSize());
        started = true;
        done = rc == -Errno.ENOENT || n == 0;
        return n;
      }
      if (rc == -Errno.ENOSPC && n == 0) {
        if (exact) {
          return NEEDS_MORE;
        }
        if (want >= capacity) {
          grow();
        }
        want = capacity;
        continue;
      }
      if (rc == -Errno.EINVAL || rc == -Errno.ENOTSUPP || rc == -Errno.EOPNOTSUPP) {
        throw Failures.unsupported(operation, map.target(), -rc, map.info().type());
      }
      throw map.failure(operation, -rc);
    }
  }

  /** Starts a new pass over the map, keeping the buffers. */
  public void reset() {
    started = false;
    done = false;
  }

  /**
   * {@return key {@code i} of the last batch: a slice of the key buffer, valid until the next read}
   * @param i the entry's index in the batch, from 0
   * @throws IndexOutOfBoundsException when {@code i} is outside the buffer
   */
  public MemorySegment key(int i) {
    return keys.asSlice((long) i * keySize, keySize);
  }

  /**
   * {@return value {@code i} of the last batch: {@link BpfMap#valueBufferSize()} bytes of the value
   * buffer, valid until the next read}
   * @param i the entry's index in the batch, from 0
   * @throws IndexOutOfBoundsException when {@code i} is outside the buffer
   */
  public MemorySegment value(int i) {
    return values.asSlice((long) i * valueStride, valueStride);
  }

  /** {@return the whole key buffer: key {@code i} starts at {@code i * keySize()}} */
  public MemorySegment keys() {
    return keys;
  }

  /** {@return the whole value buffer: value {@code i} starts at {@code i * valueStride()}} */
  public MemorySegment values() {
    return values;
  }

  /** {@return the bytes of one key in the key buffer: the map's key size} */
  public int keySize() {
    return keySize;
  }

  /** {@return the bytes of one value in the value buffer: {@link BpfMap#valueBufferSize()}} */
  public int valueStride() {
    return valueStride;
  }

  /** {@return the entries the buffers hold now: the batch size, grown on ENOSPC} */
  public int capacity() {
    return capacity;
  }

  /** Frees the buffers; slices from {@link #key(int)} and {@link #value(int)} die with them. */
  @Override
  public void close() {
    arena.close();
  }

  private void grow() {
    int max = Math.max(map.info().maxEntries(), 1);
    if (capacity >= max) {
      throw new BpfException(operation, map.target(), Errno.ENOSPC,
          "a bucket does not fit a buffer of " + capacity + " entries");
    }
    allocate((int) Math.min((long) capacity * 2, max));
  }

  private void allocate(int entries) {
    capacity = entries;
    keys = arena.allocate(Math.max(1L, (long) entries * keySize), 8);
    values = arena.allocate(Math.max(1L, (long) entries * valueStride), 8);
    if (keySets != null) {
      keySets[set] = keys;
      valueSets[set] = values;
    }
  }
}
