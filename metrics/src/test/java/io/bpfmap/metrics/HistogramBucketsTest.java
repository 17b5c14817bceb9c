package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.metrics.HistogramBuckets.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket numbers to upper bounds, as ebpf_exporter defines its kinds; no kernel. */
class HistogramBucketsTest {
  @Test
  void boundsOfEachKind() {
    assertThat(HistogramBuckets.of(Kind.EXP2, 0, 3, 1).upperBounds())
        .containsExactly(1, 2, 4, 8, Double.POSITIVE_INFINITY);
    assertThat(HistogramBuckets.of(Kind.EXP2, 2, 4, 1e-6).upperBounds())
        .containsExactly(4e-6, 8e-6, 16e-6, Double.POSITIVE_INFINITY);
    assertThat(HistogramBuckets.of(Kind.EXP2_ZERO, 0, 3, 1).upperBounds())
        .containsExactly(0, 1, 2, 4, Double.POSITIVE_INFINITY);
    assertThat(HistogramBuckets.of(Kind.LINEAR, 0, 3, 10).upperBounds())
        .containsExactly(0, 10, 20, 30, Double.POSITIVE_INFINITY);
    assertThat(HistogramBuckets.fixed(List.of(5L, 10L, 50L), 0.001).upperBounds())
        .containsExactly(0.005, 0.01, 0.05, Double.POSITIVE_INFINITY);
  }

  @Test
  void bucketNumbersFindTheirPlaceAndTheSumKeyFollowsTheLast() {
    HistogramBuckets exp2 = HistogramBuckets.of(Kind.EXP2, 2, 4, 1);
    assertThat(new int[] {exp2.indexOf(1), exp2.indexOf(2), exp2.indexOf(4), exp2.indexOf(5)})
        .containsExactly(-1, 0, 2, -1);
    assertThat(exp2.sumKey()).isEqualTo(5);
    HistogramBuckets fixed = HistogramBuckets.fixed(List.of(5L, 10L, 50L), 1);
    assertThat(new int[] {fixed.indexOf(5), fixed.indexOf(7), fixed.indexOf(50)}).containsExactly(0, -1, 2);
    assertThat(fixed.sumKey()).isEqualTo(51);
  }

  @Test
  void exp2BucketsOfAPowerOfTwoHaveNativeIndexes() {
    assertThat(HistogramBuckets.of(Kind.EXP2, 0, 3, 1).nativeIndexes()).containsExactly(0, 1, 2, 3);
    assertThat(HistogramBuckets.of(Kind.EXP2, 2, 4, 0.25).nativeIndexes()).containsExactly(0, 1, 2);
    assertThat(HistogramBuckets.of(Kind.EXP2_ZERO, 0, 2, 1).nativeIndexes()).containsExactly(Integer.MIN_VALUE, 0, 1);
    assertThat(HistogramBuckets.of(Kind.EXP2, 0, 3, 1e-6).nativeIndexes()).as("not a power of two").isNull();
    assertThat(HistogramBuckets.of(Kind.LINEAR, 0, 3, 1).nativeIndexes()).isNull();
  }

  @Test
  void badBucketsAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.EXP2, 5, 4, 1))
        .hasMessage("a histogram needs 1 to 512 buckets, got min 5 and max 4");
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.LINEAR, 0, 600, 1))
        .hasMessage("a histogram needs 1 to 512 buckets, got min 0 and max 600");
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.EXP2_ZERO, 1, 4, 1))
        .hasMessage("exp2-zero buckets start at 0, got min 1");
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.EXP2, 0, 4, 0))
        .hasMessage("the bucket multiplier must be a positive number, got 0.0");
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.EXP2, 1000, 1100, 1))
        .hasMessage("exp2 buckets are numbered 0 to 1023, got 1000 to 1100");
    assertThatThrownBy(() -> HistogramBuckets.fixed(List.of(10L, 5L), 1))
        .hasMessage("bucket keys must increase: 5 after 10");
    assertThatThrownBy(() -> HistogramBuckets.fixed(List.of(), 1))
        .hasMessage("a histogram needs 1 to 512 buckets, got 0");
    assertThatThrownBy(() -> HistogramBuckets.of(Kind.FIXED, 0, 1, 1))
        .hasMessage("fixed buckets are given by their keys, not by min and max");
  }
}
