package io.bpfmap.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a BPF program numbers the buckets of a histogram, and the upper bound of each, as
 * ebpf_exporter configures them. A bucket's count is the number of values at most its upper bound
 * and above the previous one's; the bound is {@code multiplier} times:
 * <ul>
 *   <li>{@link Kind#EXP2}: {@code 2^i} for bucket {@code i} of {@code min..max} (a program computes
 *       {@code i} as the base-2 logarithm of the value rounded up);
 *   <li>{@link Kind#EXP2_ZERO}: 0 for bucket 0, then {@code 2^(i-1)} for bucket {@code i} of
 *       {@code 1..max};
 *   <li>{@link Kind#LINEAR}: {@code i} for bucket {@code i} of {@code min..max};
 *   <li>{@link Kind#FIXED}: the bucket numbers are the bounds themselves, in {@code keys}.
 * </ul>
 * The bucket after the last ({@code max + 1}, or the last key plus one) is where a program may keep
 * the sum of its values, in the same unit; a value above the last bound belongs in the last bucket.
 * libbpf-tools' {@code log2l} rounds down instead (slot {@code i} holds {@code [2^i, 2^(i+1))}):
 * its slots {@code 0..N-1} are {@code EXP2} buckets {@code 1..N}.
 *
 * @param kind how bucket numbers map to bounds
 * @param keys the bucket numbers, in order (for {@code EXP2}: {@code min..max})
 * @param multiplier what a bound is multiplied by, e.g. {@code 1e-6} for microseconds as seconds
 */
public record HistogramBuckets(Kind kind, long[] keys, double multiplier) {
  /** The numbering of buckets. */
  public enum Kind {
    /** Bucket {@code i} ends at {@code 2^i}. */
    EXP2,
    /** Bucket 0 holds zeros, bucket {@code i > 0} ends at {@code 2^(i-1)}. */
    EXP2_ZERO,
    /** Bucket {@code i} ends at {@code i}. */
    LINEAR,
    /** Buckets numbered by their bounds. */
    FIXED;

    /** {@return the name a configuration gives it: exp2, exp2-zero, linear, fixed} */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** The most buckets a histogram may have (a scrape writes each one per series). */
  public static final int MAX_BUCKETS = 512;

  /** Checks the buckets: at least one, at most {@link #MAX_BUCKETS}, increasing, a positive finite multiplier. */
  public HistogramBuckets {
    keys = keys.clone();
    if (keys.length == 0 || keys.length > MAX_BUCKETS) {
      throw new IllegalArgumentException("a histogram needs 1 to " + MAX_BUCKETS + " buckets, got " + keys.length);
    }
    for (int i = 1; i < keys.length; i++) {
      if (keys[i] <= keys[i - 1]) {
        throw new IllegalArgumentException("bucket keys must increase: " + keys[i] + " after " + keys[i - 1]);
      }
    }
    if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("the bucket multiplier must be a positive number, got " + multiplier);
    }
    if ((kind == Kind.EXP2 || kind == Kind.EXP2_ZERO) && (keys[0] < 0 || keys[keys.length - 1] > 1023)) {
      throw new IllegalArgumentException(kind.configName() + " buckets are numbered 0 to 1023, got "
          + keys[0] + " to " + keys[keys.length - 1]);
    }
  }

  /**
   * Buckets {@code min..max} of a kind that numbers them ({@code exp2}, {@code exp2-zero},
   * {@code linear}).
   *
   * @param kind not {@link Kind#FIXED}
   * @param min the first bucket (0 for {@code exp2-zero})
   * @param max the last bucket, at least {@code min}
   * @param multiplier what a bound is multiplied by
   * @return the buckets
   * @throws IllegalArgumentException when the range is empty, too long or the multiplier not positive
   */
  public static HistogramBuckets of(Kind kind, long min, long max, double multiplier) {
    if (kind == Kind.FIXED) {
      throw new IllegalArgumentException("fixed buckets are given by their keys, not by min and max");
    }
    if (kind == Kind.EXP2_ZERO && min != 0) {
      throw new IllegalArgumentException("exp2-zero buckets start at 0, got min " + min);
    }
    if (max < min || max - min >= MAX_BUCKETS) {
      throw new IllegalArgumentException("a histogram needs 1 to " + MAX_BUCKETS + " buckets, got min " + min
          + " and max " + max);
    }
    long[] keys = new long[(int) (max - min + 1)];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = min + i;
    }
    return new HistogramBuckets(kind, keys, multiplier);
  }

  /**
   * Buckets numbered by their bounds.
   *
   * @param keys the bounds as the program writes them, increasing
   * @param multiplier what a bound is multiplied by
   * @return the buckets
   */
  public static HistogramBuckets fixed(List<Long> keys, double multiplier) {
    return new HistogramBuckets(Kind.FIXED, keys.stream().mapToLong(Long::longValue).toArray(), multiplier);
  }

  /** {@return the keys, a copy} */
  @Override
  public long[] keys() {
    return keys.clone();
  }

  /** {@return the number of buckets, not counting {@code +Inf}} */
  public int size() {
    return keys.length;
  }

  /** {@return the bucket number under which a program keeps the sum of its values} */
  public long sumKey() {
    return keys[keys.length - 1] + 1;
  }

  /**
   * {@return where bucket number {@code key} is among the buckets, or -1 when it is none of them}
   * @param key a bucket number as the program writes it
   */
  public int indexOf(long key) {
    if (kind == Kind.FIXED) {
      int at = Arrays.binarySearch(keys, key);
      return at >= 0 ? at : -1;
    }
    long at = key - keys[0];
    return at >= 0 && at < keys.length ? (int) at : -1;
  }

  /**
   * Where each bucket is among the buckets of a Prometheus native histogram of schema 0 (bucket
   * {@code n} holds {@code (2^(n-1), 2^n]}), when they are the same buckets: exp2 kinds whose
   * multiplier is a power of two. {@code EXP2_ZERO}'s bucket 0 is the native zero bucket
   * ({@link Integer#MIN_VALUE}). A first exp2 bucket also holds the values below its lower bound
   * (0 among them), which the native one does not: it is counted there all the same.
   *
   * @return the native index of each bucket, or null when these buckets are not native ones
   */
  public int[] nativeIndexes() {
    if (kind != Kind.EXP2 && kind != Kind.EXP2_ZERO || multiplier != Math.scalb(1.0, Math.getExponent(multiplier))) {
      return null;
    }
    int shift = Math.getExponent(multiplier);
    int[] out = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      long k = keys[i];
      out[i] = kind == Kind.EXP2 ? (int) k + shift : k == 0 ? Integer.MIN_VALUE : (int) k - 1 + shift;
    }
    return out;
  }

  /** {@return the upper bounds of the buckets in order, then {@code +Inf}} */
  public double[] upperBounds() {
    double[] bounds = new double[keys.length + 1];
    for (int i = 0; i < keys.length; i++) {
      long k = keys[i];
      double b = switch (kind) {
        case EXP2 -> Math.scalb(1.0, (int) k);
        case EXP2_ZERO -> k == 0 ? 0 : Math.scalb(1.0, (int) k - 1);
        case LINEAR, FIXED -> k;
      };
      bounds[i] = b * multiplier;
    }
    bounds[keys.length] = Double.POSITIVE_INFINITY;
    return bounds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistogramBuckets b && kind == b.kind && Arrays.equals(keys, b.keys)
        && Double.compare(multiplier, b.multiplier) == 0;
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + Arrays.hashCode(keys)) * 31 + Double.hashCode(multiplier);
  }

  @Override
  public String toString() {
    return kind.configName() + (kind == Kind.FIXED ? Arrays.toString(keys) : " " + keys[0] + ".." + keys[keys.length - 1])
        + " x" + multiplier;
  }
}
