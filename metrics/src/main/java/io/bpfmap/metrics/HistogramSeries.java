package io.bpfmap.metrics;

import io.bpfmap.core.record.FieldAccessor;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * One label set of a {@link MapHistograms}: its buckets' counts as the stream delivered them (by
 * bucket position), the sum, and the cycle each was last read in; a scrape reads a snapshot of
 * them as a classic histogram, and a native one when the buckets are native ones.
 */
final class HistogramSeries {
  private final io.prometheus.metrics.model.snapshots.Labels promLabels;
  private final FieldAccessor bucket;
  private final FieldAccessor count;
  private final FieldAccessor[] slots;
  private final FieldAccessor sum;
  private final HistogramBuckets buckets;
  private final double[] bounds;
  private final int[] nativeIndexes;
  private final LongConsumer unknownBucket;
  private final AtomicLongArray counts;
  private final long[] seen;
  private volatile double sumValue = Double.NaN;
  private long sumSeen = -1;

  HistogramSeries(HistogramFields fields, HistogramBuckets buckets, double[] bounds, int[] nativeIndexes,
      String[] labelNames, List<String> values, LongConsumer unknownBucket) {
    this.bucket = fields.bucket();
    this.count = fields.count();
    this.slots = fields.slots();
    this.sum = fields.sum();
    this.buckets = buckets;
    this.bounds = bounds;
    this.nativeIndexes = nativeIndexes;
    this.unknownBucket = unknownBucket;
    this.counts = new AtomicLongArray(bounds.length);
    this.seen = new long[bounds.length];
    String[] names = labelNames;
    if (values.size() > labelNames.length) {
      names = java.util.Arrays.copyOf(labelNames, labelNames.length + 1);
      names[labelNames.length] = "cpu";
    }
    this.promLabels = io.prometheus.metrics.model.snapshots.Labels.of(names, values.toArray(String[]::new));
    java.util.Arrays.fill(seen, -1);
  }

  void update(MemorySegment key, MemorySegment value, long cycle) {
    if (slots == null) {
      long k = bucket.getLong(key, 0);
      if (k == buckets.sumKey()) {
        sumValue = count.getDouble(value, 0) * buckets.multiplier();
        sumSeen = cycle;
        return;
      }
      int at = buckets.indexOf(k);
      if (at < 0) {
        unknownBucket.accept(k);
        return;
      }
      counts.set(at, count.getLong(value, 0));
      seen[at] = cycle;
      return;
    }
    for (int i = 0; i < slots.length; i++) {
      long c = slots[i].getLong(value, 0);
      if (i < buckets.size()) {
        counts.set(i, c);
        seen[i] = cycle;
      } else if (c != 0) {
        unknownBucket.accept(i);
      }
    }
    if (sum != null) {
      sumValue = sum.getDouble(value, 0) * buckets.multiplier();
      sumSeen = cycle;
    }
  }

  /** A CHANGES delete of one entry: its bucket counts 0; true when the series holds nothing any more. */
  boolean delete(MemorySegment key) {
    if (slots == null) {
      long k = bucket.getLong(key, 0);
      int at = buckets.indexOf(k);
      if (k == buckets.sumKey()) {
        sumValue = Double.NaN;
      } else if (at >= 0) {
        counts.set(at, 0);
      }
      for (int i = 0; i < counts.length(); i++) {
        if (counts.get(i) != 0) {
          return false;
        }
      }
      return Double.isNaN(sumValue);
    }
    return true;
  }

  /** The end of SNAPSHOT cycle {@code cycle}: buckets not read in it count 0; true when nothing was read. */
  boolean endCycle(long cycle) {
    boolean any = sumSeen == cycle;
    for (int i = 0; i < seen.length; i++) {
      if (seen[i] == cycle) {
        any = true;
      } else {
        counts.set(i, 0);
      }
    }
    if (sumSeen != cycle) {
      sumValue = Double.NaN;
    }
    return !any;
  }

  HistogramSnapshot.HistogramDataPointSnapshot snapshot() {
    long[] c = new long[bounds.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = counts.get(i);
    }
    ClassicHistogramBuckets classic = ClassicHistogramBuckets.of(bounds, c);
    if (nativeIndexes == null) {
      return new HistogramSnapshot.HistogramDataPointSnapshot(classic, sumValue, promLabels, Exemplars.EMPTY, 0L);
    }
    // the same counts as a native histogram of schema 0, for a scraper that takes them
    long zero = 0;
    int n = 0;
    int[] index = new int[nativeIndexes.length];
    long[] count = new long[nativeIndexes.length];
    for (int i = 0; i < nativeIndexes.length; i++) {
      if (nativeIndexes[i] == Integer.MIN_VALUE) {
        zero += c[i];
      } else if (c[i] != 0) {
        index[n] = nativeIndexes[i];
        count[n++] = c[i];
      }
    }
    return new HistogramSnapshot.HistogramDataPointSnapshot(classic, 0, zero, 0,
        NativeHistogramBuckets.of(java.util.Arrays.copyOf(index, n), java.util.Arrays.copyOf(count, n)),
        NativeHistogramBuckets.EMPTY, sumValue, promLabels, Exemplars.EMPTY, 0L);
  }
}
