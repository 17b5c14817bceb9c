package io.bpfmap.metrics;

import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where a histogram's numbers are in a map's records: the key field of the bucket and the value
 * field of its count, or the value's array of slots and its sum; the key fields left are labels.
 *
 * @param bucket the bucket number in the key, or null with slots
 * @param count a bucket's count in the value, or null with slots
 * @param slots the value's slots in order, or null with a bucket field
 * @param sum the value's sum with slots, or null
 * @param bucketPath the bucket field's or the slots' path (for self-metrics)
 * @param labels the key fields that are labels
 */
record HistogramFields(FieldAccessor bucket, FieldAccessor count, FieldAccessor[] slots, FieldAccessor sum,
    String bucketPath, List<String> labels) {

  /**
   * Resolves the fields a histogram's options name; {@code owner} ({@code histogram 'h' of map
   * 'm'}) starts every error.
   *
   * @throws IllegalArgumentException when a field is missing or of the wrong kind, or both shapes are given
   */
  static HistogramFields resolve(String owner, RecordLayout key, CompiledMask value, String bucketField,
      String slotsField, String countField, String sumField, HistogramBuckets buckets, Set<String> labelled) {
    List<String> leaves = key.leafPaths();
    if (slotsField == null && bucketField == null) {
      if (leaves.size() != 1) {
        throw new IllegalArgumentException(owner + ": say which key field holds the bucket (bucket) or which "
            + "value array holds the buckets (slots); the key has " + String.join(", ", leaves));
      }
      bucketField = leaves.getFirst();
    }
    if (slotsField != null && bucketField != null) {
      throw new IllegalArgumentException(owner + ": give the bucket as a key field (bucket) or the value's "
          + "array of slots (slots), not both");
    }
    List<String> labels = new ArrayList<>(leaves);
    HistogramFields f;
    if (bucketField != null) {
      if (!leaves.contains(bucketField)) {
        throw new IllegalArgumentException(owner + ": bucket field '" + bucketField + "' is not a key field (the key has "
            + String.join(", ", leaves) + ")");
      }
      if (sumField != null) {
        throw new IllegalArgumentException(owner + ": with a bucket field the sum is the entry of bucket "
            + buckets.sumKey() + ", not a value field");
      }
      labels.remove(bucketField);
      FieldAccessor count = accessor(value, countField != null ? countField : onlyNumber(value.layout(), owner), "count",
          owner);
      f = new HistogramFields(key.accessor(bucketField), count, null, null, bucketField, List.copyOf(labels));
    } else {
      RecordLayout layout = value.layout();
      if (!layout.leafPaths().contains(slotsField + "[0]") || layout.kindOf(slotsField) != RecordLayout.NodeKind.ARRAY) {
        throw new IllegalArgumentException(owner + ": slots field '" + slotsField + "' is not an array of the value");
      }
      FieldAccessor[] slots = new FieldAccessor[layout.arrayLength(slotsField)];
      if (slots.length != buckets.size()) {
        throw new IllegalArgumentException(owner + ": slots field '" + slotsField + "' has " + slots.length
            + " slots, the buckets " + buckets.size() + ": one bucket a slot (bucket-max = bucket-min + "
            + (slots.length - 1) + ")");
      }
      for (int i = 0; i < slots.length; i++) {
        slots[i] = accessor(value, slotsField + "[" + i + "]", "slots", owner);
      }
      FieldAccessor sum = sumField == null ? null : accessor(value, sumField, "sum", owner);
      f = new HistogramFields(null, null, slots, sum, slotsField, List.copyOf(labels));
    }
    for (String l : labelled) {
      if (!f.labels.contains(l)) {
        throw new IllegalArgumentException(owner + ": label field '" + l + "' is not a key field besides the bucket "
            + "(it has " + (f.labels.isEmpty() ? "none" : String.join(", ", f.labels)) + ")");
      }
    }
    return f;
  }

  /** A value field through the mask; a missing or hidden one names the option that gave it. */
  private static FieldAccessor accessor(CompiledMask value, String path, String option, String owner) {
    try {
      return value.accessor(path);
    } catch (io.bpfmap.core.BpfException e) {
      throw new IllegalArgumentException(owner + ": " + option + " field " + e.getMessage().replaceFirst("^mask ", ""),
          e);
    }
  }

  private static String onlyNumber(RecordLayout value, String owner) {
    List<String> numbers = value.numericPaths();
    if (numbers.size() != 1) {
      throw new IllegalArgumentException(owner + ": say which value field holds a bucket's count (count); the value has "
          + String.join(", ", value.leafPaths()));
    }
    return numbers.getFirst();
  }
}
