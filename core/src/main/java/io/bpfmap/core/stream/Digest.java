package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;

/**
 * CHANGES: one batch's key hashes (as {@link ChangeTable} indexes them) and value fingerprints,
 * computed by the thread that read the batch, so that the thread that emits it only probes the
 * table. A reader keeps two, one per buffer set of its cursor.
 */
final class Digest {
  private int[] hashes = new int[0];
  private long[] fingerprints = new long[0];

  /** Digests the {@code n} entries of a batch (keys {@code keySize} apart, values {@code valueBuffer} apart). */
  void of(RecordView view, MemorySegment keys, int keySize, MemorySegment values, int valueBuffer, int cpus,
      long stride, int n) {
    if (hashes.length < n) {
      hashes = new int[n];
      fingerprints = new long[n];
    }
    for (int e = 0; e < n; e++) {
      hashes[e] = ChangeTable.hash(keys, (long) e * keySize, keySize);
      fingerprints[e] = view.fingerprint(values, (long) e * valueBuffer, cpus, stride);
    }
  }

  int[] hashes() {
    return hashes;
  }

  long fingerprint(int entry) {
    return fingerprints[entry];
  }
}
