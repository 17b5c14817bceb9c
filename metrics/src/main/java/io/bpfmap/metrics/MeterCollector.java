package io.bpfmap.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * A map's meters as one Prometheus collector, when they are bound to a Prometheus registry: each
 * scrape reads every series' values into snapshots, with labels made once per series. It writes
 * what Micrometer's gauges and function counters of the same names would, without a meter per
 * series and field to convert at every scrape.
 */
final class MeterCollector implements MultiCollector {
  /** What the collector reads of a series: its labels, made once, and its latest values. */
  interface Values {
    Labels labels();

    double value(int metric);
  }

  private final List<String> names;
  private final MapMeters.Type[] types;
  private final MetricMetadata[] metadata;
  private final Supplier<Collection<? extends Values>> series;

  /**
   * @param names each metric's Prometheus name, without {@code _total}
   * @param types gauge or counter, per metric
   * @param help each metric's description
   */
  MeterCollector(List<String> names, MapMeters.Type[] types, List<String> help,
      Supplier<Collection<? extends Values>> series) {
    this.names = List.copyOf(names);
    this.types = types.clone();
    this.metadata = new MetricMetadata[names.size()];
    for (int i = 0; i < metadata.length; i++) {
      metadata[i] = new MetricMetadata(names.get(i), help.get(i));
    }
    this.series = series;
  }

  @Override
  public MetricSnapshots collect() {
    Collection<? extends Values> all = series.get();
    List<MetricSnapshot> out = new ArrayList<>(metadata.length);
    for (int m = 0; m < metadata.length; m++) {
      if (types[m] == MapMeters.Type.COUNTER) {
        List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>(all.size());
        for (Values s : all) {
          points.add(new CounterSnapshot.CounterDataPointSnapshot(s.value(m), s.labels(), null, 0));
        }
        out.add(new CounterSnapshot(metadata[m], points));
      } else {
        List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>(all.size());
        for (Values s : all) {
          points.add(new GaugeSnapshot.GaugeDataPointSnapshot(s.value(m), s.labels(), null));
        }
        out.add(new GaugeSnapshot(metadata[m], points));
      }
    }
    return new MetricSnapshots(out);
  }

  @Override
  public List<String> getPrometheusNames() {
    return names;
  }
}
