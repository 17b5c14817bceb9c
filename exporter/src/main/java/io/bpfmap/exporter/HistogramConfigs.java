package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.metrics.HistogramBuckets;
import io.bpfmap.metrics.LabelDecoder;
import io.bpfmap.metrics.MapHistograms;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code maps[].histograms} of a config: histograms a program keeps in the map, as ebpf_exporter reads them. */
final class HistogramConfigs {
  private HistogramConfigs() {}

  /**
   * One histogram of a map; {@code at} is its YAML path ({@code maps[0].histograms[1]}).
   *
   * @param name after {@code bpfmap_<map>_}
   * @param bucketField the key field of the bucket number, or null
   * @param slotsField the value's array of buckets, or null
   * @param countField the value field of a bucket's count, or null for the value's only number
   * @param sumField the value field of the sum (with slots), or null
   * @param buckets bucket numbers and bounds
   * @param description Prometheus {@code # HELP}, or null
   * @param at its YAML path
   */
  record HistogramConfig(String name, String bucketField, String slotsField, String countField, String sumField,
      HistogramBuckets buckets, String description, String at) {

    /** The options of this histogram, with the map's label decoders of its label fields. */
    MapHistograms.Builder builder(Map<String, LabelDecoder> labels, int maxSeries) {
      MapHistograms.Builder b = MapHistograms.builder(name).buckets(buckets).bucketField(bucketField)
          .slotsField(slotsField).countField(countField).sumField(sumField).description(description)
          .maxSeries(maxSeries);
      labels.forEach((field, decoder) -> {
        if (!field.equals(bucketField)) {
          b.label(field, decoder);
        }
      });
      return b;
    }

    /** Checks the fields against the map's layouts; an error names this histogram's YAML path. */
    void check(String map, RecordLayout key, CompiledMask value, Map<String, LabelDecoder> labels) {
      try {
        builder(labels, 1).check(map, key, value);
      } catch (IllegalArgumentException | BpfException e) {
        throw new CliException(at + ": " + e.getMessage().replaceFirst("^histogram '[^']*' of map '[^']*': ", ""), e);
      }
    }
  }

  private static final Set<String> KEYS = Set.of("name", "bucket-field", "slots-field", "count-field", "sum-field",
      "bucket-type", "bucket-min", "bucket-max", "bucket-keys", "bucket-multiplier", "description");

  /** The list under {@code maps[i].histograms}; names are unique within the map. */
  static List<HistogramConfig> parse(Object tree, String at) {
    if (!(tree instanceof List<?> list)) {
      throw new CliException(at + ": expected a list of {name, bucket-field or slots-field, bucket-type, …}");
    }
    List<HistogramConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      HistogramConfig h = histogram(list.get(i), at + "[" + i + "]");
      if (!names.add(h.name())) {
        throw new CliException(h.at() + ".name: '" + h.name() + "' names another histogram of this map");
      }
      out.add(h);
    }
    return List.copyOf(out);
  }

  private static HistogramConfig histogram(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, KEYS);
    String name = YamlValues.string(YamlValues.required(m, "name", at), at + ".name");
    if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      throw new CliException(at + ".name: '" + name + "' is not a metric name (letters, digits and _)");
    }
    HistogramBuckets.Kind kind = YamlValues.choice(m.getOrDefault("bucket-type", "exp2"), at + ".bucket-type",
        "bucket type", HistogramBuckets.Kind.class, Map.of("exp2-zero", HistogramBuckets.Kind.EXP2_ZERO));
    double multiplier = m.containsKey("bucket-multiplier") ? number(m.get("bucket-multiplier"), at + ".bucket-multiplier") : 1;
    HistogramBuckets buckets;
    try {
      if (kind == HistogramBuckets.Kind.FIXED) {
        if (m.containsKey("bucket-min") || m.containsKey("bucket-max")) {
          throw new CliException(at + ": fixed buckets are given by bucket-keys, not bucket-min and bucket-max");
        }
        if (!(YamlValues.required(m, "bucket-keys", at) instanceof List<?> keys)) {
          throw new CliException(at + ".bucket-keys: expected a list of whole numbers");
        }
        List<Long> k = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
          k.add(whole(keys.get(i), at + ".bucket-keys[" + i + "]"));
        }
        buckets = HistogramBuckets.fixed(k, multiplier);
      } else {
        if (m.containsKey("bucket-keys")) {
          throw new CliException(at + ".bucket-keys: only fixed buckets have keys; " + kind.configName()
              + " buckets go from bucket-min to bucket-max");
        }
        long min = m.containsKey("bucket-min") ? whole(m.get("bucket-min"), at + ".bucket-min") : 0;
        if (m.get("bucket-max") == null) {
          throw new CliException(at + ".bucket-max: required: the last bucket's number"
              + (m.get("slots-field") != null ? " (with slots, bucket-min plus the number of slots minus 1)" : ""));
        }
        long max = whole(m.get("bucket-max"), at + ".bucket-max");
        buckets = HistogramBuckets.of(kind, min, max, multiplier);
      }
    } catch (IllegalArgumentException e) {
      throw new CliException(at + ": " + e.getMessage(), e);
    }
    String bucketField = field(m, "bucket-field", at);
    String slotsField = field(m, "slots-field", at);
    if (bucketField != null && slotsField != null) {
      throw new CliException(at + ": give bucket-field (the bucket in the key) or slots-field (an array of buckets in "
          + "the value), not both");
    }
    return new HistogramConfig(name, bucketField, slotsField, field(m, "count-field", at), field(m, "sum-field", at),
        buckets, field(m, "description", at), at);
  }

  private static String field(Map<String, Object> m, String key, String at) {
    return m.get(key) == null ? null : YamlValues.string(m.get(key), at + "." + key);
  }

  private static long whole(Object v, String at) {
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw new CliException(at + ": expected a whole number, got '" + v + "'");
  }

  /** A positive number; YAML reads {@code 1e-6} (no dot) as a string, which is taken too. */
  private static double number(Object v, String at) {
    double d = Double.NaN;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s && s.strip().matches("[0-9.]+([eE][-+]?[0-9]+)?")) {
      d = Double.parseDouble(s.strip());
    }
    if (d > 0 && Double.isFinite(d)) {
      return d;
    }
    throw new CliException(at + ": expected a positive number (1e-6 for microseconds as seconds), got '" + v + "'");
  }
}
