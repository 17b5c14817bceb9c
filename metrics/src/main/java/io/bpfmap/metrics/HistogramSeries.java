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
 * One label set of a {@link MapHistograms}: what each of its keys holds (a bucket, the sum, or
 * all the slots), added up into the buckets' counts and the sum a scrape reads, as a classic
 * histogram, and a native one when the buckets are native ones. Keys whose labels decode alike
 * add up, as ebpf_exporter adds them.
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
  /** The keys whose labels decode to this series (one per bucket, mostly), each with its part. */
  private final KeyParts<Part> parts = new KeyParts<>();
  private volatile double sumValue = Double.NaN;
  /** The parts that hold a sum, and their total: the stream's thread only. */
  private int sums;
  private double sumTotal;

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
    String[] names = labelNames;
    if (values.size() > labelNames.length) {
      names = java.util.Arrays.copyOf(labelNames, labelNames.length + 1);
      names[labelNames.length] = "cpu";
    }
    this.promLabels = io.prometheus.metrics.model.snapshots.Labels.of(names, values.toArray(String[]::new));
  }

  /**
   * What one key holds: a bucket's count ({@code position} >= 0), the sum (position -1), or all
   * the slots; and the sum with them, NaN when none.
   */
  private record Part(int position, long count, long[] slots, double sum) {}

  void update(MemorySegment key, MemorySegment value, long cycle) {
    Part part;
    if (slots == null) {
      long k = bucket.getLong(key, 0);
      if (k == buckets.sumKey()) {
        part = new Part(-1, 0, null, count.getDouble(value, 0) * buckets.multiplier());
      } else {
        int at = buckets.indexOf(k);
        if (at < 0) {
          unknownBucket.accept(k);
          return;
        }
        part = new Part(at, count.getLong(value, 0), null, Double.NaN);
      }
    } else {
      long[] c = new long[buckets.size()];
      for (int i = 0; i < slots.length; i++) {
        long n = slots[i].getLong(value, 0);
        if (i < c.length) {
          c[i] = n;
        } else if (n != 0) {
          unknownBucket.accept(i);
        }
      }
      part = new Part(-2, 0, c, sum == null ? Double.NaN : sum.getDouble(value, 0) * buckets.multiplier());
    }
    replace(parts.put(KeyParts.keyOf(key), part, cycle), part);
  }

  /**
   * Moves the counts a scrape reads from one key's old part to its new one, each count changed
   * once (by the difference), so that a scrape never sees a count go down and up again.
   */
  private void replace(Part old, Part now) {
    if (old != null && old.position() >= 0 && now != null && old.position() == now.position()) {
      counts.addAndGet(old.position(), now.count() - old.count());
    } else {
      add(old, -1);
      add(now, 1);
    }
    double before = old == null || Double.isNaN(old.sum()) ? 0 : old.sum();
    if (now != null && !Double.isNaN(now.sum())) {
      sums += old == null || Double.isNaN(old.sum()) ? 1 : 0;
      sumTotal += now.sum() - before;
    } else if (old != null && !Double.isNaN(old.sum())) {
      sums--;
      sumTotal -= before;
    }
    sumValue = sums == 0 ? Double.NaN : sumTotal;
  }

  private void add(Part p, int sign) {
    if (p == null) {
      return;
    }
    if (p.slots() != null) {
      for (int i = 0; i < p.slots().length; i++) {
        if (p.slots()[i] != 0) {
          counts.addAndGet(i, sign * p.slots()[i]);
        }
      }
    } else if (p.position() >= 0) {
      counts.addAndGet(p.position(), sign * p.count());
    }
  }

  /** A CHANGES delete of one entry: its part goes; true when the series holds nothing any more. */
  boolean delete(MemorySegment key) {
    replace(parts.remove(KeyParts.keyOf(key)), null);
    return parts.isEmpty();
  }

  /** The end of SNAPSHOT cycle {@code cycle}: the keys not read in it go; true when none is left. */
  boolean endCycle(long cycle) {
    return parts.removeUnseen(cycle, gone -> replace(gone, null));
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
