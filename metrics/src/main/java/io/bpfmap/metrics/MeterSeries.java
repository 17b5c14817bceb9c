package io.bpfmap.metrics;

import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.metrics.MapMeters.Metric;
import io.bpfmap.metrics.MapMeters.Type;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One label set of a {@link MapMeters}: its meters and their latest values (as double bits, read
 * by scrapes), the sum of the values of the keys whose labels decode to it (one key, mostly).
 * Written by the stream's thread only.
 */
final class MeterSeries implements MeterCollector.Values {
  /** Where a value a counter cannot take goes: counted and said, by the series' map. */
  interface Refusals {
    void refuse(int metric, double value, List<String> labels);
  }

  private final List<String> labels;
  private final List<Tag> tags;
  private final MeterRegistry registry;
  private final FieldAccessor[] values;
  private final List<Metric> metrics;
  private final Refusals refusals;
  private final AtomicLongArray bits;
  private final List<Meter> meters = new ArrayList<>();
  private final KeyParts<double[]> parts = new KeyParts<>();
  /** The labels a Prometheus collector writes; null with meters. */
  private final io.prometheus.metrics.model.snapshots.Labels prometheusLabels;

  /**
   * @param labels the label values: one per key label, then the CPU's under PER_CPU
   * @param labelNames the key labels' names
   * @param registry the registry the map's meters are bound to
   * @param collected whether a Prometheus collector writes the series (their labels are then
   *     made here, once) rather than meters
   */
  MeterSeries(List<String> labels, String[] labelNames, MeterRegistry registry, boolean collected,
      List<Metric> metrics, FieldAccessor[] values, Refusals refusals) {
    this.labels = labels;
    this.registry = registry;
    this.metrics = metrics;
    this.values = values;
    this.refusals = refusals;
    this.bits = new AtomicLongArray(values.length);
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < labelNames.length; i++) {
      tags.add(Tag.of(labelNames[i], labels.get(i)));
    }
    if (labels.size() > labelNames.length) {
      tags.add(Tag.of("cpu", labels.getLast()));
    }
    this.tags = tags;
    if (collected) {
      // as Micrometer makes a tag a label: its name through the registry's convention, the last of a name kept
      Map<String, String> named = new TreeMap<>();
      tags.forEach(t -> named.put(registry.config().namingConvention().tagKey(t.getKey()), t.getValue()));
      prometheusLabels = io.prometheus.metrics.model.snapshots.Labels.of(named.keySet().toArray(String[]::new),
          named.values().toArray(String[]::new));
    } else {
      prometheusLabels = null;
    }
  }

  /** Registers a meter per metric, named {@code names}, once the series holds its first values. */
  void register(List<String> names) {
    for (int i = 0; i < metrics.size(); i++) {
      Metric m = metrics.get(i);
      int at = i;
      meters.add(m.type() == Type.COUNTER
          ? FunctionCounter.builder(names.get(i), bits, b -> Double.longBitsToDouble(b.get(at)))
              .tags(tags).description(m.description()).register(registry)
          : Gauge.builder(names.get(i), bits, b -> Double.longBitsToDouble(b.get(at)))
              .tags(tags).description(m.description()).strongReference(true).register(registry));
    }
  }

  @Override
  public io.prometheus.metrics.model.snapshots.Labels labels() {
    return prometheusLabels;
  }

  @Override
  public double value(int metric) {
    return Double.longBitsToDouble(bits.get(metric));
  }

  /** A key's values, read in cycle {@code cycle}; a counter's value below zero or NaN is refused. */
  void update(MemorySegment key, MemorySegment value, long cycle) {
    double[] v = new double[values.length];
    boolean[] refused = null;
    for (int i = 0; i < values.length; i++) {
      v[i] = values[i].getDouble(value, 0);
      if (metrics.get(i).type() == Type.COUNTER && !(v[i] >= 0)) {
        // A counter cannot go below zero (nor be NaN): one such value would fail every scrape.
        refusals.refuse(i, v[i], labels);
        refused = refused == null ? new boolean[values.length] : refused;
        refused[i] = true;
      }
    }
    double[] before = parts.put(KeyParts.keyOf(key), v, cycle);
    for (int i = 0; refused != null && i < v.length; i++) {
      if (refused[i]) {
        v[i] = before == null ? 0 : before[i];  // the key keeps its last good value
      }
    }
    if (parts.size() == 1) {
      for (int i = 0; i < v.length; i++) {
        bits.set(i, Double.doubleToRawLongBits(v[i]));
      }
    } else {
      publish();
    }
  }

  /** A key deleted from the map: {@return true when no key is left} (the series is then to remove) */
  boolean delete(MemorySegment key) {
    parts.remove(KeyParts.keyOf(key));
    if (parts.isEmpty()) {
      return true;
    }
    publish();
    return false;
  }

  /** The sums of the keys' values, for scrapes. */
  private void publish() {
    double[] sum = new double[values.length];
    for (double[] p : parts.values()) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += p[i];
      }
    }
    for (int i = 0; i < sum.length; i++) {
      bits.set(i, Double.doubleToRawLongBits(sum[i]));
    }
  }

  /**
   * The end of SNAPSHOT cycle {@code cycle}: keys not read in it leave; {@return true when none is
   * left} (its meters are then removed)
   */
  boolean endCycle(long cycle) {
    boolean[] removed = new boolean[1];
    if (parts.removeUnseen(cycle, gone -> removed[0] = true)) {
      remove();
      return true;
    }
    if (removed[0]) {
      publish();
    }
    return false;
  }

  /** Removes its meters from the registry (none with a collector). */
  void remove() {
    meters.forEach(registry::remove);
  }
}
