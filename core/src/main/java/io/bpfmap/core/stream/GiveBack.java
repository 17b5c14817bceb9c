package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.UpdateFlag;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.RejectedExecutionException;
import reactor.core.scheduler.Scheduler;

/**
 * DRAIN: puts entries taken out of the kernel and not delivered back into their map, as new keys,
 * so that a value a writer re-created meanwhile is kept (such a key is a conflict).
 */
final class GiveBack {
  private final BpfMap map;
  private final int keySize;
  private final int valueBuffer;
  private final StreamStats stats;
  private final Lease lease;

  /** Conflicts of {@link #later} count in {@code stats}; {@code lease} is held while one is on its way. */
  GiveBack(BpfMap map, StreamStats stats, Lease lease) {
    this.map = map;
    this.stats = stats;
    this.lease = lease;
    this.keySize = map.keySize();
    this.valueBuffer = map.valueBufferSize();
  }

  /** Puts entries {@code from} to {@code to} of a batch back; returns how many keys exist again. */
  int batch(MemorySegment keys, MemorySegment values, int from, int to) {
    int conflicts = 0;
    for (int e = from; e < to; e++) {
      MemorySegment k = keys.asSlice((long) e * keySize, keySize);
      MemorySegment v = values.asSlice((long) e * valueBuffer, valueBuffer);
      try {
        map.update(k, v, UpdateFlag.NOEXIST);
      } catch (BpfException conflict) {
        conflicts++;
      }
    }
    return conflicts;
  }

  /**
   * Puts back the entry of an event an operator discarded, once (several discard hooks may see
   * it); false when its key exists again or the map is closed. True for an event with nothing to
   * put back.
   */
  boolean event(Event e) {
    if (e.drainedValue() == null || !e.claimRestore()) {
      return true;
    }
    if (map.isClosed()) {
      return false;
    }
    try {
      map.update(e.keyBytes(), e.drainedValue(), UpdateFlag.NOEXIST);
      return true;
    } catch (BpfException conflict) {
      return false;
    }
  }

  /**
   * {@link #event}, on {@code io} rather than on the calling thread (a discarding one, which may
   * be one that must not block); the lease is held until it is done, so that the reader's idle()
   * waits for it and the map can be closed after. A key that exists again counts as a conflict.
   */
  void later(Event e, Scheduler io) {
    lease.hold();
    Runnable task = () -> {
      try {
        stats.drainConflicts(event(e) ? 0 : 1);
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
}
