package io.bpfmap.core.stream;

import io.bpfmap.core.BatchCursor;
import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.UnsupportedFeatureException;
import io.bpfmap.core.stream.MapEvent.Kind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Reads one map cycle after cycle and turns entries into events, one at a time, as asked:
 * batch lookup (or lookup-and-delete in DRAIN) into buffers kept across cycles (a
 * {@link ReadAhead} reads the next batch while the last one is emitted), per-key iteration
 * where batches are unsupported, CHANGES filtering, per-CPU policy, deletes, the CYCLE_END marker.
 * Used by one cycle at a time ({@link CyclePublisher} guarantees it); not thread-safe otherwise.
 */
final class CycleReader implements AutoCloseable {
  private final BpfMap map;
  private final RecordView view;
  private final Mode mode;
  private final PerCpuPolicy policy;
  private final int batchSize;
  private final StreamStats stats;
  private final int cpus;
  private final long stride;
  private final int keySize;
  private final int valueBuffer;
  /** The bytes of one (CPU's) value as the layout has it: what an event holds after the key. */
  private final int valueSize;
  /** DRAIN: an event's value is the kernel's whole value (nothing masked, one CPU), so it can be put back. */
  private final boolean drainedIsVisible;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment keyBuf;
  private final MemorySegment nextBuf;
  private final MemorySegment valueBuf;
  private final KeyWalk walk;
  private boolean batches;
  private BatchCursor cursor;
  /** CHANGES: what the stream saw, to tell changes; null in the other modes. */
  private final ChangeFilter changes;
  /** Reads the batches, a batch ahead of the events. */
  private final ReadAhead ahead;
  /** DRAIN: the entries the read-ahead was last allowed to take in this cycle. */
  private long granted;
  private final Lease lease = new Lease(this::free);
  private final GiveBack giveBack;

  // One cycle's state.
  /** What this cycle's events share: its number and start among them. */
  private Event.Cycle info;
  private long startNanos;
  private int n;
  private int i;
  private int cpu;
  private boolean readDone;
  private boolean sweeping;
  private boolean ended;
  private long read;
  private long emitted;
  private MemorySegment batchKeys;
  private MemorySegment batchValues;

  CycleReader(BpfMap map, RecordView view, Mode mode, PerCpuPolicy policy, int batchSize, boolean batches,
      StreamStats stats, ChangesState baseline) {
    this.map = map;
    this.ahead = new ReadAhead(ReadAhead.LOOPS, batchSize);
    this.view = view;
    this.mode = mode;
    this.policy = policy;
    this.batchSize = batchSize;
    this.batches = batches;
    this.stats = stats;
    this.cpus = map.valuesPerKey();
    this.stride = map.valueStride();
    this.keySize = map.keySize();
    this.valueBuffer = map.valueBufferSize();
    this.valueSize = view.valueLayout().size();
    this.drainedIsVisible = cpus == 1 && view.showsAll() && valueSize == valueBuffer;
    this.keyBuf = arena.allocate(Math.max(1, keySize), 8);
    this.nextBuf = arena.allocate(Math.max(1, keySize), 8);
    this.valueBuf = arena.allocate(Math.max(1, valueBuffer), 8);
    this.walk = new KeyWalk(map, keyBuf, nextBuf, valueBuf);
    this.giveBack = new GiveBack(map);
    this.changes = mode == Mode.CHANGES ? new ChangeFilter(view, keySize, valueBuffer, cpus, stride, baseline) : null;
  }

  /** Starts cycle {@code number}; CHANGES state starts over when {@code fresh}. */
  void begin(long number, boolean fresh) {
    if (changes != null) {
      changes.begin(number, fresh, info == null ? 0 : info.number());
    }
    info = new Event.Cycle(view, number, Instant.now(), keySize);
    startNanos = System.nanoTime();
    n = 0;
    i = 0;
    cpu = 0;
    readDone = false;
    walk.begin();
    sweeping = false;
    ended = false;
    read = 0;
    emitted = 0;
    if (cursor != null) {
      cursor.reset();
    } else if (batches) {
      cursor = map.batchCursor(batchSize, mode == Mode.DRAIN).alternate();
    }
    ahead.reset(max -> readDigested(cursor, max), mode == Mode.DRAIN ? 0 : Long.MAX_VALUE);
    granted = 0;
  }

  /**
   * The next event of this cycle, or null when the cycle is over (after its CYCLE_END).
   * {@code demand} bounds what DRAIN may take out of the kernel now.
   */
  MapEvent next(long demand) {
    if (mode == Mode.DRAIN && batches) {
      // what the subscriber requested, the read-ahead may take (entries taken per key count too)
      long total = demand > Long.MAX_VALUE - emitted ? Long.MAX_VALUE : emitted + demand;
      if (total > granted) {
        granted = total;
        ahead.grant(total);
      }
    }
    while (true) {
      while (i < n) {
        MapEvent e = entryEvent();
        if (e != null) {
          emitted++;
          return e;
        }
      }
      if (!readDone) {
        fill();
        continue;
      }
      if (mode == Mode.CHANGES) {
        if (!sweeping) {
          sweeping = true;
          changes.startSweep();
        }
        byte[] gone = changes.nextGone((int) info.number());
        if (gone != null) {
          emitted++;
          return new Event(info, Kind.DELETE, gone, -1);
        }
      }
      if (!ended) {
        ended = true;
        stopReadAhead();  // it ended with the pass; this makes sure nothing runs into the next cycle
        boolean complete = !walk.incomplete();
        stats.cycleDone(info.number(), info.start(), System.nanoTime() - startNanos, read, emitted, complete, walk.repeats());
        return Event.cycleEnd(info, read, complete);
      }
      return null;
    }
  }

  /** The event for entry i (and CPU cpu); null when CHANGES finds it unchanged. Advances. */
  private MapEvent entryEvent() {
    long keyOff = (long) i * keySize;
    long valueOff = (long) i * valueBuffer;
    if (cpus > 1 && policy == PerCpuPolicy.PER_CPU) {
      if (cpu == 0 && changes != null && !changes.changed(batchKeys, batchValues, i, n, (int) info.number())) {
        i++;
        return null;
      }
      byte[] data = record(keyOff);
      view.copyVisible(batchValues, valueOff + cpu * stride, data, keySize);
      Event e = new Event(info, Kind.UPSERT, data, cpu);
      if (++cpu == cpus) {
        cpu = 0;
        i++;
      }
      return e;
    }
    int entry = i++;
    if (changes != null && !changes.changed(batchKeys, batchValues, entry, n, (int) info.number())) {
      return null;
    }
    byte[] data = record(keyOff);
    if (cpus > 1) {
      view.aggregate(batchValues, valueOff, cpus, stride, policy, data, keySize);
    } else {
      view.copyVisible(batchValues, valueOff, data, keySize);
    }
    return switch (mode) {
      case SNAPSHOT -> new Event(info, Kind.UPSERT, data, -1);
      case CHANGES -> new Event.Changed(info, data, changes.lastFingerprint(), changes.lastCreated());
      case DRAIN -> new Event.Drained(info, data, drainedIsVisible ? null : copy(batchValues, valueOff, valueBuffer));
    };
  }

  /** A new record of this entry: its key, then room for its value. */
  private byte[] record(long keyOff) {
    byte[] data = new byte[keySize + valueSize];
    MemorySegment.copy(batchKeys, ValueLayout.JAVA_BYTE, keyOff, data, 0, keySize);
    return data;
  }

  /** Reads the next batch (or entry, per key) into the batch buffers; sets readDone at the end. */
  private void fill() {
    i = 0;
    n = 0;
    if (batches) {
      try {
        ReadAhead.Batch b = ahead.take();
        if (b.failure() instanceof RuntimeException e) {
          throw e;
        } else if (b.failure() instanceof Error e) {
          throw e;
        }
        if (b.got() == BatchCursor.NEEDS_MORE) {
          drainOneByKey();
          if (n > 0) {
            ahead.tookPerKey(n);  // else the map is empty: the cycle is over
          }
          return;
        }
        take(b.got(), b.keys(), b.values(), b.digest());
        return;
      } catch (UnsupportedFeatureException e) {
        if (mode == Mode.DRAIN || read > 0) {
          throw e;
        }
        batches = false;
      }
    }
    if (mode == Mode.DRAIN) {
      drainOneByKey();
    } else {
      nextByKey();
    }
  }

  /** The batch the cycle works through next; {@code digest} is its CHANGES digest, null when read per key. */
  private void take(int got, MemorySegment keys, MemorySegment values, Digest digest) {
    n = got;
    read += got;
    stats.read(got);
    batchKeys = keys;
    batchValues = values;
    readDone = got == 0;
    if (changes != null) {
      changes.batch(digest);
    }
  }

  /**
   * Reads the next batch of at most {@code max} entries, on the read-ahead thread; in CHANGES,
   * digests it there too.
   */
  private ReadAhead.Batch readDigested(BatchCursor c, int max) {
    int got = mode == Mode.DRAIN ? c.nextAtMost(max) : c.next();
    Digest d = changes != null && got > 0 ? changes.digest(c.keys(), c.values(), got) : null;
    return new ReadAhead.Batch(got, c.keys(), c.values(), d, null);
  }

  /** Per key: the next key not read in this cycle, and its value (see {@link KeyWalk}). */
  private void nextByKey() {
    boolean found = walk.next(changes != null ? k -> changes.seenIn(k, 0, (int) info.number()) : null);
    take(found ? 1 : 0, keyBuf, valueBuf, null);
  }

  /** Per key, in DRAIN: takes exactly one entry (the first key) out of the map. */
  private void drainOneByKey() {
    take(walk.drainOne() ? 1 : 0, keyBuf, valueBuf, null);
  }

  /**
   * DRAIN: puts back an entry whose event an operator discarded (it left the engine after the
   * subscriber cancelled). Returns false when the key exists again (a writer re-created it).
   */
  boolean restore(Event e) {
    return giveBack.event(e);
  }

  /**
   * Ends the cycle early (cancelled or failed): waits for a batch read ahead, and in DRAIN puts it
   * back into the map (keys that exist again count as conflicts). It is not a completed cycle: no
   * CycleReport, no new last-cycle time (what it read and emitted is already counted).
   */
  void abandon() {
    ended = true;
    stopReadAhead();
  }

  /**
   * Waits for the batch being read ahead (the kernel may still be writing into the buffers, which
   * are freed only after it is done); in DRAIN, puts the batches read ahead back into the map.
   */
  private void stopReadAhead() {
    for (ReadAhead.Batch b : ahead.stop()) {
      if (mode == Mode.DRAIN && b.got() > 0) {
        stats.drainConflicts(giveBack.batch(b.keys(), b.values(), 0, b.got()));
      }
    }
  }

  /**
   * DRAIN, when the subscriber cancels mid-batch: puts the entries taken out of the kernel but not
   * delivered back (as new keys, so a value a writer re-created meanwhile is kept); returns how
   * many could not be put back because their key exists again.
   */
  int restoreUndelivered() {
    if (mode != Mode.DRAIN) {
      return 0;
    }
    stopReadAhead();  // first, so that it cannot take again what goes back now
    int conflicts = giveBack.batch(batchKeys, batchValues, i, n);
    i = n;
    return conflicts;
  }

  /**
   * CHANGES: the next cycle emits this key again (its value, or a DELETE when it is gone), for a
   * sink that could not deliver its last event. Thread-safe: applied when the next cycle begins.
   */
  void resync(byte[] key) {
    if (changes != null) {
      changes.resync(key);
    }
  }

  long changeStateBytes() {
    return changes == null ? 0 : changes.stateBytes();
  }

  int changeStateKeys() {
    return changes == null ? 0 : changes.stateKeys();
  }

  /** A cycle starts using the reader (one at a time, {@link CyclePublisher} sees to it); false once closed. */
  boolean acquire() {
    return lease.acquire();
  }

  /** A cycle, or a give-back, is done; frees the buffers if the reader was closed meanwhile. */
  void release() {
    lease.release();
  }

  /**
   * DRAIN: {@link #restore}s a discarded event on {@code io} rather than on the discarding thread
   * (which may be one that must not block); {@link #idle()} waits for it, so the map can be closed
   * after. Counts a conflict in the stats when the key exists again.
   */
  void restoreLater(Event e, Scheduler io) {
    lease.hold();
    Runnable task = () -> {
      try {
        stats.drainConflicts(restore(e) ? 0 : 1);
      } finally {
        lease.release();
      }
    };
    try {
      io.schedule(task);
    } catch (RejectedExecutionException disposed) {
      task.run();
    }
  }

  /** Completes once no cycle or give-back uses the reader. */
  Mono<Void> idle() {
    return lease.idle();
  }

  /** Frees the native buffers now, or when the running cycle settles. Idempotent. */
  @Override
  public void close() {
    lease.close();
  }

  /** True once the native buffers are given back. */
  boolean freed() {
    return lease.freed();
  }

  private void free() {
    if (cursor != null) {
      cursor.close();
    }
    arena.close();
  }

  String mapName() {
    return view.map();
  }

  private static byte[] copy(MemorySegment m, long off, int len) {
    byte[] out = new byte[len];
    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, off, out, 0, len);
    return out;
  }

  static BpfException error(String map, String detail) {
    return new BpfException("stream", "map '" + map + "'", 0, detail);
  }
}
