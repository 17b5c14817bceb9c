package io.bpfmap.core.stream;

import io.bpfmap.core.BatchCursor;
import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.UnsupportedFeatureException;
import io.bpfmap.core.stream.MapEvent.Kind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Reads one map cycle after cycle and turns entries into events ({@link BatchEvents}), one at a
 * time, as asked: batch lookup (or lookup-and-delete in DRAIN) into buffers kept across cycles (a
 * {@link ReadAhead} reads the next batch while the last one is emitted), per-key iteration where
 * batches are unsupported, CHANGES' deletes, the CYCLE_END marker; or, for views, lends the
 * batches in place. Used by one cycle at a time ({@link Lease#acquire} sees to it).
 */
final class CycleReader implements AutoCloseable {
  private final BpfMap map;
  private final RecordView view;
  private final Mode mode;
  private final int batchSize;
  private final StreamStats stats;
  private final int keySize;
  private final int valueBuffer;
  private final Arena arena = Arena.ofShared();
  private final KeyWalk walk;
  private boolean batches;
  private BatchCursor cursor;
  /** CHANGES: what the stream saw, to tell changes; null in the other modes. */
  private final ChangeFilter changes;
  /** Makes the events of the batch taken last. */
  private final BatchEvents events;
  /** Reads the batches, a batch ahead of the events. */
  private final ReadAhead ahead;
  /** DRAIN: the entries the read-ahead was last allowed to take in this cycle. */
  private long granted;
  private final Lease lease = new Lease(this::free);
  private final GiveBack giveBack;
  /** views(): what runs when a lent batch comes back (the cycle may be waiting for its buffers). */
  private volatile Runnable waiting;

  // One cycle's state.
  /** What this cycle's events share: its number and start among them. */
  private Event.Cycle info;
  private long startNanos;
  private boolean readDone;
  private boolean sweeping;
  private boolean ended;
  private long read;
  private long emitted;

  CycleReader(BpfMap map, RecordView view, Mode mode, PerCpuPolicy policy, int batchSize, boolean batches,
      StreamStats stats, ChangesState baseline) {
    this.map = map;
    this.ahead = new ReadAhead(ReadAhead.LOOPS, batchSize);
    this.view = view;
    this.mode = mode;
    this.batchSize = batchSize;
    this.batches = batches;
    this.stats = stats;
    this.keySize = map.keySize();
    this.valueBuffer = map.valueBufferSize();
    this.walk = new KeyWalk(map, arena);
    this.giveBack = new GiveBack(map, stats, lease);
    this.changes = mode == Mode.CHANGES
        ? new ChangeFilter(view, keySize, valueBuffer, map.valuesPerKey(), map.valueStride(), baseline) : null;
    this.events = new BatchEvents(map, view, mode, policy, changes);
  }

  /**
   * Starts cycle {@code number}; CHANGES state starts over when {@code fresh}. When {@code views},
   * the cycle lends its batches in place ({@link #nextView}) instead of making events.
   */
  void begin(long number, boolean fresh, boolean views) {
    if (changes != null) {
      changes.begin(number, fresh, info == null ? 0 : info.number());
    }
    info = new Event.Cycle(view, number, Instant.now(), keySize);
    startNanos = System.nanoTime();
    events.start(null, null, 0);
    readDone = false;
    walk.begin();
    sweeping = false;
    ended = false;
    read = 0;
    emitted = 0;
    if (cursor != null) {
      cursor.reset();
    } else if (batches) {
      cursor = map.batchCursor(batchSize, mode == Mode.DRAIN).sets(ReadAhead.SETS);
    }
    ahead.reset((max, set) -> readDigested(cursor, max, set), mode == Mode.DRAIN ? 0 : Long.MAX_VALUE, views);
    granted = 0;
  }

  /**
   * The next event of this cycle; null when the cycle is {@link #over()} (after its CYCLE_END), or
   * while every buffer set is lent by a views() subscription before: then {@code wake} runs at the
   * next release. {@code demand} bounds what DRAIN may take out of the kernel now.
   */
  MapEvent next(long demand, Runnable wake) {
    waiting = wake;
    if (mode == Mode.DRAIN && batches) {
      // what the subscriber requested, the read-ahead may take (entries taken per key count too)
      long total = demand > Long.MAX_VALUE - emitted ? Long.MAX_VALUE : emitted + demand;
      if (total > granted) {
        granted = total;
        ahead.grant(total);
      }
    }
    while (true) {
      while (events.hasNext()) {
        MapEvent e = events.next(info);
        if (e != null) {
          emitted++;
          return e;
        }
      }
      if (!readDone) {
        if (!fill()) {
          return null;
        }
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
      return ended ? null : Event.cycleEnd(info, read, endCycle());
    }
  }

  /** The cycle is over: reports it; returns whether it read the whole map. */
  private boolean endCycle() {
    ended = true;
    stopReadAhead();  // it ended with the pass; this makes sure nothing runs into the next cycle
    boolean complete = !walk.incomplete();
    stats.cycleDone(info.number(), info.start(), System.nanoTime() - startNanos, read, emitted, complete, walk.repeats());
    return complete;
  }

  /**
   * views(): the cycle's next batch, lent in place until its release; after the last one, the
   * batch that ends the cycle. Null when the cycle is {@link #over()}, or while every buffer set
   * is lent: then {@code wake} runs at the next release.
   */
  MapBatch nextView(Runnable wake) {
    waiting = wake;
    if (!readDone) {
      ReadAhead.Batch b = ahead.take();
      if (b == null) {
        return null;
      } else if (b.failure() instanceof UnsupportedFeatureException e) {
        throw error(view.map(), "views() reads batches in place, and " + e.getMessage() + ": use events()");
      }
      rethrow(b.failure());
      int got = b.got();
      counted(got);  // lent as they are: no events made
      if (got > 0) {
        emitted += got;
        stats.emitted(got);
        lease.hold();
        int set = b.set();
        return new MapBatch(info, b.keys(), b.values(), got, valueBuffer, () -> lendingDone(set));
      }
    }
    if (ended) {
      return null;
    }
    stats.emitted(1);  // as a CYCLE_END is
    return MapBatch.cycleEnd(info, read, endCycle());
  }

  /** A lent batch is released: its buffers may be read into again, and a cycle waiting for them goes on. */
  private void lendingDone(int set) {
    ahead.giveBack(set);
    lease.release();
    Runnable w = waiting;
    if (w != null) {
      w.run();
    }
  }

  /** True once the cycle has given its end (CYCLE_END, or the batch that ends it), or was abandoned. */
  boolean over() {
    return ended;
  }

  /**
   * Reads the next batch (or entry, per key) into the batch buffers; sets readDone at the end.
   * False when nothing can be read before a batch lent by views() comes back.
   */
  private boolean fill() {
    events.start(null, null, 0);
    if (batches) {
      try {
        ReadAhead.Batch b = ahead.take();
        if (b == null) {
          return false;
        }
        rethrow(b.failure());
        if (b.got() == BatchCursor.NEEDS_MORE) {
          if (drainOneByKey()) {
            ahead.tookPerKey(1);  // else the map is empty: the cycle is over
          }
          return true;
        }
        take(b.got(), b.keys(), b.values(), b.digest());
        return true;
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
    return true;
  }

  /** The batch the cycle works through next; {@code digest} is its CHANGES digest, null when read per key. */
  private void take(int got, MemorySegment keys, MemorySegment values, Digest digest) {
    events.start(keys, values, got);
    counted(got);
    if (changes != null) {
      changes.batch(digest);
    }
  }

  /** A read of {@code got} entries is counted; none ends the pass. */
  private void counted(int got) {
    read += got;
    stats.read(got);
    readDone = got == 0;
  }

  /**
   * Reads the next batch of at most {@code max} entries, on the read-ahead thread; in CHANGES,
   * digests it there too.
   */
  private ReadAhead.Batch readDigested(BatchCursor c, int max, int set) {
    c.use(set);
    int got = mode == Mode.DRAIN ? c.nextAtMost(max) : c.next();
    Digest d = changes != null && got > 0 ? changes.digest(c.keys(), c.values(), got) : null;
    return new ReadAhead.Batch(set, got, c.keys(), c.values(), d, null);
  }

  /** Throws what the reading thread met, if anything. */
  private static void rethrow(Throwable failure) {
    if (failure instanceof RuntimeException e) {
      throw e;
    } else if (failure instanceof Error e) {
      throw e;
    }
  }

  /** Per key: the next key not read in this cycle, and its value (see {@link KeyWalk}). */
  private void nextByKey() {
    boolean found = walk.next(changes != null ? k -> changes.seenIn(k, 0, (int) info.number()) : null);
    take(found ? 1 : 0, walk.key(), walk.value(), null);
  }

  /** Per key, in DRAIN: takes exactly one entry (the first key) out of the map; false when it is empty. */
  private boolean drainOneByKey() {
    boolean took = walk.drainOne();
    take(took ? 1 : 0, walk.key(), walk.value(), null);
    return took;
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
    return events.giveBackRest(giveBack);
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

  /** A cycle would start using the reader: see {@link Lease#acquire}. */
  Lease.Cycle acquire(Runnable whenFree) {
    return lease.acquire(whenFree);
  }

  /** The cycle is done; frees the buffers if the reader was closed meanwhile. */
  void release() {
    lease.releaseCycle();
  }

  /** DRAIN: {@link #restore}s a discarded event on {@code io}, not on the discarding thread ({@link GiveBack#later}). */
  void restoreLater(Event e, Scheduler io) {
    giveBack.later(e, io);
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

  static BpfException error(String map, String detail) {
    return new BpfException("stream", "map '" + map + "'", 0, detail);
  }
}
