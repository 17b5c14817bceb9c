package io.bpfmap.metrics;

import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Counts a ring's events by the values of some of their fields, as ebpf_exporter counts events:
 * {@code bpfmap.<ring>.events} (Prometheus {@code bpfmap_<ring>_events_total}) with one label per
 * configured field, at most {@code maxSeries} series (events of further label values are counted
 * in {@code bpfmap.series.refused}); {@code bpfmap.events.lost}, what the stream knows was lost
 * ({@link EventStream#lost()}); and {@code bpfmap.events.malformed}, records shorter than the
 * layout; all tagged {@code map} with the ring's name. A field the mask hides
 * cannot be a label. {@link #close()} removes the meters and ends the subscription.
 */
public final class RingMeters implements MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RingMeters.class);

  private final EventStream stream;
  private final String ring;
  private final Labels labels;
  private final int maxSeries;
  private final Map<List<String>, Counter> series = new ConcurrentHashMap<>();
  private MeterRegistry registry;
  private Counter refused;
  private Gauge count;
  private FunctionCounter lost;
  private FunctionCounter malformed;
  private Disposable subscription;
  private List<io.micrometer.core.instrument.Meter> unknown = List.of();

  private RingMeters(Builder b) {
    this.stream = b.stream;
    this.ring = stream.view().map();
    RecordLayout layout = stream.view().valueLayout();
    for (String field : b.labels.keySet()) {
      if (!layout.leafPaths().contains(field)) {
        throw new IllegalArgumentException("label field '" + field + "' is not a field of ring '" + ring
            + "' (it has " + String.join(", ", layout.leafPaths()) + ")");
      }
      if (!stream.view().mask().permission(field).readable()) {
        throw new IllegalArgumentException("label field '" + field + "' of ring '" + ring + "' is hidden by its mask");
      }
    }
    this.labels = new Labels(layout, List.copyOf(b.labels.keySet()), b.labels, "ring '" + ring + "'");
    this.maxSeries = b.maxSeries;
  }

  /**
   * Starts the options of the meters of a ring's stream.
   *
   * @param stream the ring's events; the meters subscribe in {@link #bindTo} and never close it
   * @return a builder with no label and at most 10 000 series
   */
  public static Builder builder(EventStream stream) {
    return new Builder(stream);
  }

  /**
   * Registers the meters and subscribes to the stream; a series appears with the first event of
   * its label values. If the stream fails, counting stops (logged once) and the series stay.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    refused = Counter.builder("bpfmap.series.refused").tag("map", ring)
        .description("Events not counted because the ring reached its series cap").register(registry);
    count = Gauge.builder("bpfmap.series", series, Map::size).tag("map", ring)
        .description("Series the ring's meters have now").register(registry);
    lost = FunctionCounter.builder("bpfmap.events.lost", stream, EventStream::lost).tag("map", ring)
        .description("Records the kernel or the program reported lost: the ring was full").register(registry);
    malformed = FunctionCounter.builder("bpfmap.events.malformed", stream, EventStream::malformed).tag("map", ring)
        .description("Records skipped because they were shorter than the ring's layout").register(registry);
    unknown = labels.bindUnknown(registry, ring);
    subscription = stream.events().subscribe(this::onEvent,
        error -> LOG.warn("ring '{}': its meters stop with the stream: {}", ring, error.getMessage()));
  }

  private void onEvent(MapEvent e) {
    List<String> values = labels.values(e.rawValue(), -1);
    if (values == null) {
      return;  // a decoder dropped it
    }
    Counter c = series.get(values);
    if (c == null) {
      if (series.size() >= maxSeries) {
        refused.increment();
        return;
      }
      List<Tag> tags = new ArrayList<>();
      tags.add(Tag.of("map", ring));
      String[] names = labels.names();
      for (int i = 0; i < names.length; i++) {
        tags.add(Tag.of(names[i], values.get(i)));
      }
      c = Counter.builder("bpfmap." + ring + ".events").tags(tags)
          .description("Events the ring's programs wrote, by the labels configured").register(registry);
      series.put(values, c);
    }
    c.increment();
  }

  /** Ends the subscription and removes every meter. */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.dispose();
    }
    if (registry != null) {
      series.values().forEach(registry::remove);
      series.clear();
      registry.remove(refused);
      registry.remove(count);
      registry.remove(lost);
      registry.remove(malformed);
      unknown.forEach(registry::remove);
    }
  }

  /** Options of {@link RingMeters}. */
  public static final class Builder {
    private final EventStream stream;
    private final Map<String, LabelDecoder> labels = new LinkedHashMap<>();
    private int maxSeries = 10_000;

    private Builder(EventStream stream) {
      this.stream = stream;
    }

    /**
     * Labels the event count by a field of the events.
     *
     * @param field a leaf path of the ring's record layout, not hidden by its mask
     * @param decoder how its values become label values, or null for the layout's own decoding
     * @return this builder
     */
    public Builder label(String field, LabelDecoder decoder) {
      labels.put(field, decoder);
      return this;
    }

    /**
     * Caps the series.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxSeries(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max-series must be at least 1, got " + max);
      }
      this.maxSeries = max;
      return this;
    }

    /**
     * {@return the meters, not yet bound}
     * @throws IllegalArgumentException for a label field the events lack, that the mask hides, or
     *     that its decoder cannot read
     */
    public RingMeters build() {
      return new RingMeters(this);
    }
  }
}
