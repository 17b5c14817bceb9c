package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.metrics.HistogramBuckets;
import io.bpfmap.metrics.MapHistograms;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A scrape of 1 000 histograms × 30 exp2 buckets that a program keeps in a hash map
 * (ebpf_exporter's shape: key {id, bucket}, value the count, and the sum under bucket 30),
 * exported by {@link MapHistograms}, against a registry holding the same series as plain
 * Micrometer histograms (distribution summaries with the same 30 bounds, each bucket filled), in
 * one run: milliseconds and bytes per scrape.
 */
final class HistogramBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"I\"],[\"bucket\",\"I\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"count\",\"Q\"]]");
  private static final int SERIES = 1_000;
  private static final int BUCKETS = 30;

  private HistogramBench() {}

  static void run() throws InterruptedException {
    PrometheusMeterRegistry ours = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HistogramBuckets buckets = HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, BUCKETS - 1, 1);
    int entries = SERIES * (BUCKETS + 1);
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "bench_hist", KEY.size(), VALUE.size(), entries))) {
      for (int id = 0; id < SERIES; id++) {
        long sum = 0;
        for (int b = 0; b < BUCKETS; b++) {
          map.update(key(id, b), value(1));
          sum += 1L << b;
        }
        map.update(key(id, BUCKETS), value(sum));
      }
      MapStream stream = MapStream.builder(map).name("lat").keyLayout(KEY).valueLayout(VALUE)
          .interval(Duration.ofHours(1)).build();
      try (MapHistograms h = MapHistograms.builder("latency").bucketField("bucket").buckets(buckets)
          .maxSeries(SERIES).build(stream)) {
        h.bindTo(ours);
        while (stream.stats().cycles() < 1) {
          Thread.sleep(10);
        }
        MetricsBench.compare("metrics.scrape.1k_histograms_x30", ours, plainHistograms(buckets));
      }
    }
  }

  /** The same histograms as Micrometer distribution summaries with the same bounds, one value per bucket. */
  private static PrometheusMeterRegistry plainHistograms(HistogramBuckets buckets) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    double[] bounds = java.util.Arrays.copyOf(buckets.upperBounds(), BUCKETS);
    for (int id = 0; id < SERIES; id++) {
      DistributionSummary s = DistributionSummary.builder("bpfmap.lat.latency").tag("id", Integer.toString(id))
          .serviceLevelObjectives(bounds).description("Histogram latency of the BPF map lat").register(registry);
      for (double b : bounds) {
        s.record(b);
      }
    }
    return registry;
  }

  private static byte[] key(int id, int bucket) {
    return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(id).putInt(bucket).array();
  }

  private static byte[] value(long count) {
    return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(count).array();
  }
}
