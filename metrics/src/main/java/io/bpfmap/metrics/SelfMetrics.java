package io.bpfmap.metrics;

import io.bpfmap.core.stream.StreamStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * bpfmap's own meters for one map, tagged {@code map}: {@code bpfmap.poll.duration} (a timer per
 * cycle), {@code bpfmap.entries.read}, {@code bpfmap.events.emitted}, {@code bpfmap.errors},
 * {@code bpfmap.ticks.skipped}, {@code bpfmap.cycles.incomplete}, and with a Kafka export {@code bpfmap.kafka.records.sent} and
 * {@code bpfmap.kafka.records.failed}. A daemon that reopens a map binds once and
 * {@link #attach}es each new stream; the counters then restart from the new stream's figures.
 */
public final class SelfMetrics implements MeterBinder {
  private final String map;
  private final Supplier<StreamStats> current;
  private final LongSupplier kafkaSent;
  private final LongSupplier kafkaFailed;
  private Timer poll;

  /**
   * Meters for one stream, without the Kafka counters.
   *
   * @param stats the stream's statistics; its map name is the {@code map} tag
   */
  public SelfMetrics(StreamStats stats) {
    this(stats.map(), () -> stats, null, null);
  }

  /**
   * Meters for one stream and the Kafka export of the same map.
   *
   * @param stats the stream's statistics; its map name is the {@code map} tag
   * @param kafkaSent records handed to the producer, e.g. {@code export::sent}
   * @param kafkaFailed send attempts that failed, e.g. {@code export::failed}
   */
  public SelfMetrics(StreamStats stats, LongSupplier kafkaSent, LongSupplier kafkaFailed) {
    this(stats.map(), () -> stats, kafkaSent, kafkaFailed);
  }

  /**
   * Meters for a map whose stream may be replaced (a daemon reopening it): {@link #attach} each
   * new stream.
   *
   * @param map the map's name, the {@code map} tag
   * @param current gives the live stream's statistics, or null while the map is not open (the
   *     counters then read 0)
   * @param kafkaSent records handed to the producer, or null without a Kafka export (then the
   *     two Kafka counters are not registered)
   * @param kafkaFailed send attempts that failed, or null without a Kafka export
   */
  public SelfMetrics(String map, Supplier<StreamStats> current, LongSupplier kafkaSent, LongSupplier kafkaFailed) {
    this.map = map;
    this.current = current;
    this.kafkaSent = kafkaSent;
    this.kafkaFailed = kafkaFailed;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    poll = Timer.builder("bpfmap.poll.duration").tag("map", map)
        .description("Time a cycle took to read the map and emit its events").register(registry);
    counter(registry, "bpfmap.entries.read", "Entries read from the kernel", () -> stat(StreamStats::entriesRead));
    counter(registry, "bpfmap.events.emitted", "Events handed to subscribers", () -> stat(StreamStats::eventsEmitted));
    counter(registry, "bpfmap.errors", "Cycles that ended in an error", () -> stat(StreamStats::errors));
    counter(registry, "bpfmap.ticks.skipped", "Interval ticks skipped because a cycle was still running",
        () -> stat(StreamStats::skippedTicks));
    counter(registry, "bpfmap.cycles.incomplete",
        "Cycles that read the map only in part (per-key iteration under heavy concurrent changes)",
        () -> stat(StreamStats::incompleteCycles));
    if (kafkaSent != null) {
      counter(registry, "bpfmap.kafka.records.sent", "Records handed to the Kafka producer", kafkaSent);
      counter(registry, "bpfmap.kafka.records.failed", "Kafka send attempts that failed", kafkaFailed);
    }
    if (current.get() != null) {
      attach(current.get());
    }
  }

  /**
   * Records the cycles of {@code stats} in {@code bpfmap.poll.duration}. The listener also keeps
   * this binder (the counters' weakly held target) alive as long as the stream.
   *
   * @param stats a new stream's statistics; do not attach the one that was current at
   *     {@link #bindTo}, which attached it already (its cycles would count twice)
   */
  public void attach(StreamStats stats) {
    stats.onCycle(this::record);
  }

  private void record(io.bpfmap.core.stream.CycleReport report) {
    poll.record(report.duration());
  }

  /** A figure of the live stream; 0 while the map is not open. */
  private long stat(java.util.function.ToLongFunction<StreamStats> figure) {
    StreamStats s = current.get();
    return s == null ? 0 : figure.applyAsLong(s);
  }

  private void counter(MeterRegistry registry, String name, String description, LongSupplier value) {
    // The meter holds its target weakly: the target is this binder, which the stream's cycle
    // listener keeps alive (see attach); the supplier is held by the function.
    FunctionCounter.builder(name, this, s -> value.getAsLong()).tag("map", map)
        .description(description).register(registry);
  }
}
