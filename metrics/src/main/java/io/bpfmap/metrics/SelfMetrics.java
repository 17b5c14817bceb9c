package io.bpfmap.metrics;

import io.bpfmap.core.stream.StreamStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.LongSupplier;

/**
 * bpfmap's own meters for one map, tagged {@code map}: {@code bpfmap.poll.duration} (a timer per
 * cycle), {@code bpfmap.entries.read}, {@code bpfmap.events.emitted}, {@code bpfmap.errors},
 * {@code bpfmap.ticks.skipped}, and with a Kafka export {@code bpfmap.kafka.records.sent} and
 * {@code bpfmap.kafka.records.failed}.
 */
public final class SelfMetrics implements MeterBinder {
  private final StreamStats stats;
  private final LongSupplier kafkaSent;
  private final LongSupplier kafkaFailed;

  public SelfMetrics(StreamStats stats) {
    this(stats, null, null);
  }

  /** With the counters of a Kafka export of the same map. */
  public SelfMetrics(StreamStats stats, LongSupplier kafkaSent, LongSupplier kafkaFailed) {
    this.stats = stats;
    this.kafkaSent = kafkaSent;
    this.kafkaFailed = kafkaFailed;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    String map = stats.map();
    Timer poll = Timer.builder("bpfmap.poll.duration").tag("map", map)
        .description("Time a cycle took to read the map and emit its events").register(registry);
    stats.onCycle(r -> poll.record(r.duration()));
    counter(registry, "bpfmap.entries.read", "Entries read from the kernel", stats::entriesRead);
    counter(registry, "bpfmap.events.emitted", "Events handed to subscribers", stats::eventsEmitted);
    counter(registry, "bpfmap.errors", "Cycles that ended in an error", stats::errors);
    counter(registry, "bpfmap.ticks.skipped", "Interval ticks skipped because a cycle was still running",
        stats::skippedTicks);
    if (kafkaSent != null) {
      counter(registry, "bpfmap.kafka.records.sent", "Records handed to the Kafka producer", kafkaSent);
      counter(registry, "bpfmap.kafka.records.failed", "Kafka send attempts that failed", kafkaFailed);
    }
  }

  private void counter(MeterRegistry registry, String name, String description, LongSupplier value) {
    // The meter holds its target weakly: the stats live as long as the stream; the supplier is
    // held by the function.
    FunctionCounter.builder(name, stats, s -> value.getAsLong()).tag("map", stats.map())
        .description(description).register(registry);
  }
}
