package io.bpfmap.metrics;

import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * A histogram a BPF program keeps in a map, as a Prometheus histogram
 * {@code bpfmap_<map>_<name>} ({@code _bucket{le=…}} cumulative, {@code _count}, and {@code _sum}
 * when the program keeps one), one series per value of the other key fields. Three shapes:
 * <ul>
 *   <li><b>a bucket field in the key</b> (ebpf_exporter's convention): each entry is one bucket of
 *       one series, its count the value ({@link Builder#bucketField}); the entry whose bucket is
 *       {@link HistogramBuckets#sumKey()} holds the sum;
 *   <li><b>a map of buckets</b>: an {@code ARRAY} or {@code PERCPU_ARRAY} whose key is the bucket
 *       number, with no label (the default when the key is one number);
 *   <li><b>an array of slots in the value</b> (libbpf-tools' {@code struct hist}): slot {@code i}
 *       is the {@code i}-th bucket ({@link Builder#slotsField}), the sum in a value field; slots
 *       rounded down as libbpf-tools' {@code log2l} does ({@code [2^i, 2^(i+1))}) are exp2 buckets
 *       {@code 1..N}.
 * </ul>
 * Per-CPU counts follow the stream's policy: SUM (its default) adds the CPUs' buckets. A scrape
 * reads the buckets of the last cycle, as the stream delivered them; in SNAPSHOT mode a series the
 * map no longer holds goes at the end of a cycle, and a bucket it no longer holds counts 0. A
 * bucket number the buckets do not have is counted in {@code bpfmap.decode.errors} (map, field)
 * and said once. At most {@code maxSeries} series; further label values are counted in
 * {@code bpfmap.series.refused}.
 */
public final class MapHistograms implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MapHistograms.class);

  private final MapStream stream;
  private final String map;
  private final String name;
  private final String description;
  private final HistogramBuckets buckets;
  private final double[] bounds;
  /** Each bucket's native histogram index (schema 0), or null when the buckets are not native ones. */
  private final int[] nativeIndexes;
  private final HistogramFields fields;
  private final Labels labels;
  private final String[] labelNames;
  private final int maxSeries;
  private final Map<List<String>, HistogramSeries> series = new ConcurrentHashMap<>();
  private PrometheusRegistry prometheus;
  private final HistogramCollector collector = new HistogramCollector();
  private PrometheusMeterRegistry registry;
  private final SelfCounters self;
  private Disposable subscription;
  private List<io.micrometer.core.instrument.Meter> unknown = List.of();
  private boolean warned;

  private MapHistograms(Builder b, MapStream stream) {
    this.stream = stream;
    this.map = stream.view().map();
    this.name = b.prometheusName(map);
    this.description = b.description != null ? b.description : "Histogram " + b.name + " of the BPF map " + map;
    this.buckets = b.buckets;
    this.bounds = buckets.upperBounds();
    this.nativeIndexes = buckets.nativeIndexes();
    RecordLayout key = stream.view().keyLayout();
    HistogramFields f = b.fields(map, key, stream.view().mask());
    this.fields = f;
    this.labels = new Labels(key, f.labels(), b.labels, "map '" + map + "'");
    this.labelNames = labels.names();
    this.maxSeries = b.maxSeries;
    this.self = new SelfCounters(map, f.bucketPath());
  }

  /**
   * Starts the options of one histogram; {@link Builder#build} applies them to a stream's map, as
   * often as the map's stream is made anew.
   *
   * @param name the histogram's name after {@code bpfmap_<map>_}, e.g. {@code latency_seconds}
   * @return a builder with exp2 buckets 0..26, no label decoder and at most 10 000 series
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** {@return the histogram's Prometheus name, {@code bpfmap_<map>_<name>}} */
  public String prometheusName() {
    return name;
  }

  /**
   * Registers the histogram with the registry's Prometheus collectors (Micrometer has no meter for
   * counts a program keeps), and {@code bpfmap.series.refused} and {@code bpfmap.decode.errors}
   * with the registry; subscribes to the stream. Bind once.
   *
   * @param registry the registry {@code /metrics} scrapes
   */
  public void bindTo(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.prometheus = registry.getPrometheusRegistry();
    self.bindTo(registry);
    unknown = labels.bindUnknown(registry, map);
    prometheus.register(collector);
    subscription = stream.events().subscribe(this::onEvent,
        e -> LOG.warn("map '{}': histogram {} stops with the stream: {}", map, name, e.getMessage()));
  }

  private void onEvent(MapEvent e) {
    switch (e.kind()) {
      case UPSERT -> {
        HistogramSeries s = seriesOf(e);
        if (s != null) {
          s.update(e.rawKey(), e.rawValue(), e.cycle());
        }
      }
      case DELETE -> {
        List<String> l = labels.values(e.rawKey(), e.cpu());
        HistogramSeries s = l == null ? null : series.get(l);
        if (s != null && s.delete(e.rawKey())) {
          series.remove(l);
        }
      }
      case CYCLE_END -> {
        if (stream.mode() == Mode.SNAPSHOT) {
          series.values().removeIf(s -> s.endCycle(e.cycle()));
        }
      }
      default -> { }
    }
  }

  private HistogramSeries seriesOf(MapEvent e) {
    List<String> l = labels.values(e.rawKey(), e.cpu());
    if (l == null) {
      return null;
    }
    HistogramSeries s = series.get(l);
    if (s == null) {
      if (series.size() >= maxSeries) {
        self.refused.increment();
        return null;
      }
      s = new HistogramSeries(fields, buckets, bounds, nativeIndexes, labelNames, l, this::unknownBucket);
      series.put(l, s);
    }
    return s;
  }

  private void unknownBucket(long key) {
    self.decodeErrors.increment();
    if (!warned) {
      warned = true;
      LOG.warn("map '{}': bucket {} is not one of histogram {}'s buckets ({}); its count is left out "
          + "(counted in bpfmap_decode_errors_total)", map, key, name, buckets);
    }
  }

  /** The histogram's series at scrape time. */
  private final class HistogramCollector implements Collector {
    @Override
    public MetricSnapshot collect() {
      List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>(series.size());
      for (HistogramSeries s : series.values()) {
        points.add(s.snapshot());
      }
      return new HistogramSnapshot(new MetricMetadata(name, description), points);
    }

    @Override
    public String getPrometheusName() {
      return name;
    }
  }

  /** Unregisters the histogram and its self-metrics and stops listening to the stream. */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.dispose();
    }
    if (prometheus != null) {
      prometheus.unregister(collector);
    }
    series.clear();
    self.close(registry);
    if (registry != null) {
      unknown.forEach(registry::remove);
    }
  }

  /** {@code bpfmap.series.refused} and {@code bpfmap.decode.errors} of one histogram's map. */
  private static final class SelfCounters {
    private final String map;
    private final String field;
    private Counter refused;
    private Counter decodeErrors;

    SelfCounters(String map, String field) {
      this.map = map;
      this.field = field;
    }

    void bindTo(PrometheusMeterRegistry registry) {
      refused = Counter.builder("bpfmap.series.refused").tag("map", map)
          .description("Keys whose series were refused because the map reached its series cap").register(registry);
      decodeErrors = Counter.builder("bpfmap.decode.errors").tag("map", map).tag("field", field)
          .description("Values a meter could not take (a negative or NaN counter, a bucket the histogram lacks)")
          .register(registry);
    }

    void close(PrometheusMeterRegistry registry) {
      if (registry != null) {
        registry.remove(refused);
        registry.remove(decodeErrors);
      }
    }
  }

  /** Options of {@link MapHistograms}. */
  public static final class Builder {
    private final String name;
    private HistogramBuckets buckets = HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1);
    private String bucketField;
    private String slotsField;
    private String countField;
    private String sumField;
    private String description;
    private final Map<String, LabelDecoder> labels = new HashMap<>();
    private int maxSeries = 10_000;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * The numbering and bounds of the buckets.
     *
     * @param buckets e.g. {@code HistogramBuckets.of(EXP2, 0, 26, 1e-6)} for microseconds as seconds
     * @return this builder
     */
    public Builder buckets(HistogramBuckets buckets) {
      this.buckets = buckets;
      return this;
    }

    /**
     * The key field that holds the bucket number (ebpf_exporter's convention); the other key
     * fields are labels.
     *
     * @param keyField a leaf path of the key
     * @return this builder
     */
    public Builder bucketField(String keyField) {
      this.bucketField = keyField;
      return this;
    }

    /**
     * The value array whose element {@code i} counts the {@code i}-th bucket (libbpf-tools'
     * {@code struct hist}); every key field is a label. Slots beyond the buckets must stay 0 (else
     * counted in {@code bpfmap.decode.errors}).
     *
     * @param valueArray the path of an array of the value, e.g. {@code slots}
     * @return this builder
     */
    public Builder slotsField(String valueArray) {
      this.slotsField = valueArray;
      return this;
    }

    /**
     * With a bucket field: the value field that holds a bucket's count; by default the value's
     * only number.
     *
     * @param valueField a numeric leaf of the value, visible through the mask
     * @return this builder
     */
    public Builder countField(String valueField) {
      this.countField = valueField;
      return this;
    }

    /**
     * With slots: the value field that holds the sum of the values (in the buckets' unit,
     * multiplied as the bounds are); without it there is no {@code _sum}.
     *
     * @param valueField a numeric leaf of the value, visible through the mask
     * @return this builder
     */
    public Builder sumField(String valueField) {
      this.sumField = valueField;
      return this;
    }

    /**
     * The histogram's description (Prometheus {@code # HELP}).
     *
     * @param text one line
     * @return this builder
     */
    public Builder description(String text) {
      this.description = text;
      return this;
    }

    /**
     * How a label field becomes a label value, as {@link MapMeters.Builder#label}.
     *
     * @param keyField a key field other than the bucket
     * @param decoder the decoder
     * @return this builder
     */
    public Builder label(String keyField, LabelDecoder decoder) {
      labels.put(keyField, decoder);
      return this;
    }

    /**
     * The cap on series (label sets) of this histogram.
     *
     * @param max series at most; default 10 000
     * @return this builder
     */
    public Builder maxSeries(int max) {
      this.maxSeries = max;
      return this;
    }

    /**
     * Checks the fields against a map's layouts, as {@link #build} does, without a stream (as the
     * exporter checks its configuration).
     *
     * @param map the map's name
     * @param key the key layout
     * @param value the value layout through the stream's mask
     * @throws IllegalArgumentException when a field is missing, of the wrong kind, or both shapes are given
     * @throws io.bpfmap.core.BpfException when a value field is hidden by the mask
     */
    public void check(String map, RecordLayout key, CompiledMask value) {
      HistogramFields f = fields(map, key, value);
      new Labels(key, f.labels(), labels, "map '" + map + "'");
    }

    private HistogramFields fields(String map, RecordLayout key, CompiledMask value) {
      return HistogramFields.resolve("histogram '" + name + "' of map '" + map + "'", key, value, bucketField,
          slotsField, countField, sumField, buckets, labels.keySet());
    }

    /** The Prometheus name of this histogram of {@code map}. */
    String prometheusName(String map) {
      return "bpfmap_" + sanitize(map) + "_" + sanitize(name);
    }

    private static String sanitize(String s) {
      return s.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    /**
     * Resolves the fields against the stream's layouts and mask.
     *
     * @param stream the map's stream (SNAPSHOT or CHANGES); the histogram subscribes in
     *     {@link MapHistograms#bindTo} and never closes it
     * @return the histogram, not yet bound
     * @throws IllegalArgumentException when the stream is in DRAIN mode, or a field is missing,
     *     of the wrong kind or both shapes are given
     * @throws io.bpfmap.core.BpfException when a value field is hidden by the mask
     */
    public MapHistograms build(MapStream stream) {
      if (stream.mode() == Mode.DRAIN) {
        throw new IllegalArgumentException("map '" + stream.view().map()
            + "': DRAIN takes entries away, a histogram needs SNAPSHOT or CHANGES");
      }
      return new MapHistograms(this, stream);
    }
  }
}
