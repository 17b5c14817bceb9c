package io.bpfmap.metrics;

import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Numeric value fields of a map as Micrometer meters, one series per key: {@code bpfmap.<map>.<field
 * path>} (Prometheus {@code bpfmap_<map>_<field_path>}), a {@link FunctionCounter} for fields that
 * are monotonic kernel counters ({@code _total}), a gauge for the others. Every key field is a
 * label, decoded by its {@link LabelDecoder} (by default: signed or unsigned decimal, C string, an
 * enum's name from BTF).
 *
 * <p>Series follow the keys: a DELETE event (CHANGES) removes a key's series, and in SNAPSHOT mode
 * a key missing from a cycle loses its series at the cycle's end. At most {@code maxSeries} series
 * exist per map; keys beyond are refused and counted in {@code bpfmap.series.refused}, never merged.
 * Hidden fields cannot be exported: naming one is an error. Per-CPU values follow the stream's
 * policy ({@code cpu} label under PER_CPU).
 *
 * <p>Bound to a {@link io.micrometer.prometheusmetrics.PrometheusMeterRegistry}, the series are
 * one Prometheus collector instead of meters: the same names, help, types, labels and values,
 * with each series' labels made once rather than at every scrape.
 */
public final class MapMeters implements MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MapMeters.class);
  /** How a field is exported. */
  public enum Type {
    /** A {@link Gauge}: the field's current value, which may go up and down. */
    GAUGE,
    /**
     * A {@link FunctionCounter} ({@code _total} in Prometheus) for a monotonic kernel counter; a
     * negative or NaN value is not taken (see {@code bpfmap.decode.errors}).
     */
    COUNTER
  }

  /**
   * One exported field.
   *
   * @param field the value field's path, e.g. {@code bytes} or {@code data[2]}; it must be numeric
   *     and visible through the stream's mask
   * @param type gauge or counter
   * @param description the meter's description (Prometheus {@code # HELP})
   */
  public record Metric(String field, Type type, String description) {}

  private final MapStream stream;
  private final String map;
  private final List<Metric> metrics;
  private final FieldAccessor[] values;
  private final Labels labels;
  private final String[] labelNames;
  private final int maxSeries;
  private final Map<List<String>, MeterSeries> series = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private Counter refused;
  private final Counter[] decodeErrors;
  private final boolean[] warned;
  private Gauge count;
  private Disposable subscription;
  private List<Meter> unknown = List.of();
  /** The meters' names, one per metric ({@link #meterName}). */
  private final List<String> meterNames;
  /** With a Prometheus registry: the series as one collector, instead of a meter per series and field. */
  private volatile MeterCollector collector;
  private io.prometheus.metrics.model.registry.PrometheusRegistry prometheus;

  private MapMeters(Builder b) {
    this.stream = b.stream;
    this.map = stream.view().map();
    this.metrics = List.copyOf(b.metrics);
    CompiledMask mask = stream.view().mask();
    this.values = metrics.stream().map(m -> mask.accessor(m.field())).toArray(FieldAccessor[]::new);
    RecordLayout key = stream.view().keyLayout();
    List<String> leaves = key.leafPaths();
    this.labels = new Labels(key, leaves, b.labels, "map '" + map + "'");
    this.labelNames = labels.names();
    for (String configured : b.labels.keySet()) {
      if (!leaves.contains(configured)) {
        throw new IllegalArgumentException("label field '" + configured + "' is not a key field of map '" + map + "'");
      }
    }
    this.maxSeries = b.maxSeries;
    this.meterNames = metrics.stream().map(this::meterName).toList();
    this.decodeErrors = new Counter[metrics.size()];
    this.warned = new boolean[metrics.size()];
  }

  /**
   * Starts the options of the meters of one stream's map.
   *
   * @param stream the stream whose events feed the meters; a DRAIN stream is refused by
   *     {@link Builder#build()}. The meters subscribe to it in {@link #bindTo} and never close it.
   * @return a builder with no metric, no label decoder and at most 10 000 series
   */
  public static Builder builder(MapStream stream) {
    return new Builder(stream);
  }

  /**
   * Registers {@code bpfmap.series}, {@code bpfmap.series.refused} and
   * {@code bpfmap.decode.errors} (all tagged {@code map}) and subscribes to the stream's events:
   * series appear as keys are seen. Bind once, to one registry. If the stream fails, the meters
   * stop updating (logged once) and their series stay until {@link #close()}.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    refused = Counter.builder("bpfmap.series.refused").tag("map", map)
        .description("Keys whose series were refused because the map reached its series cap")
        .register(registry);
    count = Gauge.builder("bpfmap.series", series, Map::size).tag("map", map)
        .description("Series the map's meters have now").register(registry);
    for (int i = 0; i < metrics.size(); i++) {
      decodeErrors[i] = Counter.builder("bpfmap.decode.errors").tag("map", map).tag("field", metrics.get(i).field())
          .description("Values a meter could not take (a negative or NaN counter, a bucket the histogram lacks)")
          .register(registry);
    }
    unknown = labels.bindUnknown(registry, map);
    if (registry instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry p) {
      List<String> names = new ArrayList<>();
      meterNames.forEach(n -> names.add(registry.config().namingConvention().name(n, Meter.Type.GAUGE)));
      collector = new MeterCollector(names, metrics.stream().map(Metric::type).toArray(Type[]::new),
          metrics.stream().map(Metric::description).toList(), series::values);
      prometheus = p.getPrometheusRegistry();
      prometheus.register(collector);
    }
    subscription = stream.events().subscribe(this::onEvent, this::streamFailed);
  }

  /** {@code bpfmap.<map>.<field path>}, brackets as dots. */
  private String meterName(Metric m) {
    return "bpfmap." + map + "." + m.field().replace("[", ".").replace("]", "");
  }

  /** The stream ended in an error (counted in its stats): said once; the series stay until close. */
  private void streamFailed(Throwable error) {
    LOG.warn("map '{}': its meters stop with the stream: {}", map, error.getMessage());
  }

  private void onEvent(MapEvent e) {
    switch (e.kind()) {
      case UPSERT -> {
        List<String> labels = labels(e);
        if (labels == null) {
          return;  // a decoder dropped it
        }
        MeterSeries s = series.get(labels);
        if (s == null) {
          if (series.size() >= maxSeries) {
            refused.increment();
            return;
          }
          s = new MeterSeries(labels, labelNames, registry, collector != null, metrics, values, this::decodeError);
          // its first values before it is seen: a counter must not show 0 and then jump to the kernel's count
          s.update(e.rawKey(), e.rawValue(), e.cycle());
          if (collector == null) {
            s.register(meterNames);
          }
          series.put(labels, s);
          return;
        }
        s.update(e.rawKey(), e.rawValue(), e.cycle());
      }
      case DELETE -> {
        List<String> labels = labels(e);
        MeterSeries s = labels == null ? null : series.get(labels);
        if (s != null && s.delete(e.rawKey())) {
          series.remove(labels);
          s.remove();
        }
      }
      case CYCLE_END -> {
        if (stream.mode() == Mode.SNAPSHOT) {
          series.values().removeIf(s -> s.endCycle(e.cycle()));
        }
      }
    }
  }

  private List<String> labels(MapEvent e) {
    return labels.values(e.rawKey(), e.cpu());
  }

  /**
   * A value a meter cannot take: the series keeps its last value, the error is counted in
   * {@code bpfmap.decode.errors} (map, field) and said once per field.
   */
  private void decodeError(int metric, double value, List<String> labels) {
    decodeErrors[metric].increment();
    if (!warned[metric]) {
      warned[metric] = true;
      LOG.warn("map '{}': field '{}' is {} for key {}, which a counter cannot be; its series keeps its last value "
          + "(counted in bpfmap_decode_errors_total)", map, metrics.get(metric).field(), value, labels);
    }
  }

  /** Removes every series and stops listening to the stream. */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.dispose();
    }
    series.values().forEach(MeterSeries::remove);
    series.clear();
    if (prometheus != null) {
      prometheus.unregister(collector);
    }
    if (registry != null) {
      registry.remove(refused);
      registry.remove(count);
      unknown.forEach(registry::remove);
      for (Counter c : decodeErrors) {
        if (c != null) {
          registry.remove(c);
        }
      }
    }
  }

  /** Options of {@link MapMeters}. */
  public static final class Builder {
    private final MapStream stream;
    private final List<Metric> metrics = new ArrayList<>();
    private final Map<String, LabelDecoder> labels = new HashMap<>();
    private int maxSeries = 10_000;

    private Builder(MapStream stream) {
      this.stream = stream;
    }

    /**
     * Exports a numeric value field, described as {@code Field <field> of the BPF map's values}.
     * The field is resolved by {@link #build()}.
     *
     * @param field a path such as {@code bytes} or {@code data[2]}
     * @param type gauge or counter
     * @return this builder
     */
    public Builder metric(String field, Type type) {
      return metric(field, type, "Field " + field + " of the BPF map's values");
    }

    /**
     * Exports a numeric value field with its own description.
     *
     * @param field a path such as {@code bytes} or {@code data[2]}
     * @param type gauge or counter
     * @param description the meter's description (Prometheus {@code # HELP})
     * @return this builder
     */
    public Builder metric(String field, Type type, String description) {
      metrics.add(new Metric(field, type, description));
      return this;
    }

    /**
     * How a key field becomes a label value; a field without a decoder is a number in decimal
     * (signed or not, as its layout says), its enum name from BTF, or a C string.
     *
     * @param keyField a leaf path of the key layout ({@code saddr}); the label is named after it,
     *     with dots and brackets as underscores
     * @param decoder the decoder, e.g. {@code LabelDecoder.of("ipv4")}
     * @return this builder
     */
    public Builder label(String keyField, LabelDecoder decoder) {
      labels.put(keyField, decoder);
      return this;
    }

    /**
     * The cap on series of this map (one per key, and per CPU under PER_CPU); keys beyond it are
     * counted in {@code bpfmap.series.refused}, not exported.
     *
     * @param max series at most; default 10 000
     * @return this builder
     */
    public Builder maxSeries(int max) {
      this.maxSeries = max;
      return this;
    }

    /**
     * Resolves the fields and decoders against the stream's layouts and mask. Nothing is
     * registered or subscribed until {@link MapMeters#bindTo}.
     *
     * @return the meters, not yet bound
     * @throws IllegalArgumentException when the stream is in DRAIN mode, a label names a field
     *     that is not a key field, or a decoder refuses its field's size
     * @throws io.bpfmap.core.BpfException when a metric names a field that is missing, hidden by
     *     the mask, or not a number
     */
    public MapMeters build() {
      if (stream.mode() == Mode.DRAIN) {
        throw new IllegalArgumentException("map '" + stream.view().map()
            + "': DRAIN takes entries away, meters need SNAPSHOT or CHANGES");
      }
      return new MapMeters(this);
    }
  }
}
