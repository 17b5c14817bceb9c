package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * CHANGES: which entries of a cycle are new or changed since the stream last saw them, and which
 * keys are gone. Keeps the {@link ChangeTable} across cycles (from a {@link ChangesState}
 * baseline, when there is one), the keys sinks asked to resync, and the digests of the batches
 * read ahead. Used by the cycle's thread, except {@link #digest} (the reading thread, on the
 * batch it just read) and {@link #resync} (any thread).
 */
final class ChangeFilter {
  /** Entries whose table slots are read ahead at a time: what that brings into the cache is still there when used. */
  private static final int PREFETCH_WINDOW = 256;
  private final RecordView view;
  private final int keySize;
  private final int valueBuffer;
  private final int cpus;
  private final long stride;
  private final ChangesState baseline;
  private final Queue<byte[]> resync = new ConcurrentLinkedQueue<>();
  /** One per buffer set of the cursor: the reads fill them in turns, as they do the sets. */
  private final Digest[] digests = {new Digest(), new Digest()};
  private int digestTurn;
  private ChangeTable table;
  /** The batch being worked through: its digest (null when read per key), and how far it is prefetched. */
  private Digest digest;
  private int prefetchedTo;
  private long lastFingerprint;
  private boolean lastCreated;

  ChangeFilter(RecordView view, int keySize, int valueBuffer, int cpus, long stride, ChangesState baseline) {
    this.view = view;
    this.keySize = keySize;
    this.valueBuffer = valueBuffer;
    this.cpus = cpus;
    this.stride = stride;
    this.baseline = baseline;
  }

  /**
   * Starts cycle {@code number}: the table starts over when {@code fresh} (a baseline's keys count
   * as seen in the cycle before, so those this one does not find are deletes); otherwise the keys
   * to resync are forgotten, as seen in {@code lastCycle}.
   */
  void begin(long number, boolean fresh, long lastCycle) {
    if (fresh || table == null) {
      table = baseline != null ? baseline.table((int) (number - 1)) : new ChangeTable(keySize);
      resync.clear();
    } else {
      for (byte[] k = resync.poll(); k != null; k = resync.poll()) {
        table.forget(k, (int) lastCycle);
      }
    }
  }

  /** On the reading thread: hashes the keys and fingerprints the values of the batch it just read. */
  Digest digest(MemorySegment keys, MemorySegment values, int got) {
    digestTurn ^= 1;
    Digest d = digests[digestTurn];
    d.of(view, keys, keySize, values, valueBuffer, cpus, stride, got);
    return d;
  }

  /** The batch the cycle works through next: its {@link #digest}, or null for an entry read per key. */
  void batch(Digest d) {
    digest = d;
    prefetchedTo = 0;
  }

  /**
   * Records entry {@code entry} of the batch ({@code n} entries, keys and values at their strides)
   * as seen in {@code cycle}; says whether it is new or changed.
   */
  boolean changed(MemorySegment keys, MemorySegment values, int entry, int n, int cycle) {
    long keyOff = (long) entry * keySize;
    ChangeTable.Change c;
    if (digest != null) {
      if (entry >= prefetchedTo) {
        prefetchedTo = Math.min(n, entry + PREFETCH_WINDOW);
        table.prefetch(digest.hashes(), entry, prefetchedTo);
      }
      long fp = digest.fingerprint(entry);
      lastFingerprint = ChangeTable.stored(fp);
      c = table.put(keys, keyOff, fp, cycle, digest.hashes()[entry]);
    } else {
      long fp = view.fingerprint(values, (long) entry * valueBuffer, cpus, stride);
      lastFingerprint = ChangeTable.stored(fp);
      c = table.put(keys, keyOff, fp, cycle);
    }
    lastCreated = c == ChangeTable.Change.NEW;
    return c != ChangeTable.Change.SAME;
  }

  /** The fingerprint, as the table stores it, of the value {@link #changed} looked at last. */
  long lastFingerprint() {
    return lastFingerprint;
  }

  /** Whether the key {@link #changed} looked at last was new to the table. */
  boolean lastCreated() {
    return lastCreated;
  }

  /** Per key: whether the key at {@code off} of {@code m} was seen in {@code cycle} already. */
  boolean seenIn(MemorySegment m, long off, int cycle) {
    return table.seenIn(m, off, cycle);
  }

  /** Starts the pass of {@link #nextGone} over the keys held now. */
  void startSweep() {
    table.startSweep();
  }

  /** The next key (of this pass) not seen in {@code cycle}, no longer held; null when none is left. */
  byte[] nextGone(int cycle) {
    return table.removeNextUnseen(cycle);
  }

  /** The next cycle emits this key again (its value, or a DELETE when it is gone). Thread-safe. */
  void resync(byte[] key) {
    if (key.length == keySize) {
      resync.add(key.clone());
    }
  }

  long stateBytes() {
    return table == null ? 0 : table.retainedBytes();
  }

  int stateKeys() {
    return table == null ? 0 : table.size();
  }
}
