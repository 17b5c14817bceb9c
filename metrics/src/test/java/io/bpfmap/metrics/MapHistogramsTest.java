package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program fills histograms with a distribution the test writes (test runs of one sample each,
 * repeated); a real Prometheus server scrapes them, and its {@code histogram_quantile} agrees with
 * the quantiles of that distribution, interpolated in its buckets as PromQL does.
 */
@KernelTest
@Tag("prometheus")
class MapHistogramsTest {
  /** Microseconds written, and how many times, for reads (op 0) and writes (op 1). */
  private static final Map<Long, Integer> READS = Map.of(3L, 100, 20L, 300, 100L, 500, 5000L, 100);
  private static final Map<Long, Integer> WRITES = Map.of(1000L, 50);

  private static void write(BpfObject obj, Map<Long, Integer> samples, int op) {
    samples.forEach((value, n) -> {
      // a socket filter's packet starts past the 14-byte Ethernet header
      ByteBuffer packet = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
      packet.putLong(14, value).putInt(22, op);
      obj.program("record").testRun(packet.array(), n);
    });
  }

  private static MapStream stream(BpfMap map) {
    return MapStream.builder(map).mode(Mode.SNAPSHOT).interval(Duration.ofMillis(200)).build();
  }

  /**
   * The {@code q}-quantile PromQL computes from buckets: the rank's bucket, interpolated linearly
   * between its bounds (the first bucket's lower bound is 0).
   */
  static double interpolated(double q, double[] bounds, Map<Long, Integer> samples, java.util.function.LongUnaryOperator bucketOf) {
    long[] counts = new long[bounds.length];
    long total = 0;
    for (var s : samples.entrySet()) {
      counts[(int) bucketOf.applyAsLong(s.getKey())] += s.getValue();
      total += s.getValue();
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      if (below + counts[i] >= rank) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        return lower + (bounds[i] - lower) * (rank - below) / counts[i];
      }
      below += counts[i];
    }
    throw new AssertionError("rank beyond the buckets");
  }

  private static long log2Up(long v) {
    long b = 0;
    while ((1L << b) < v) {
      b++;
    }
    return b;
  }

  @Test
  void prometheusQuantilesOfExp2AndLinearBucketsMatchTheWrittenDistribution(@TempDir Path tmp) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HistogramBuckets exp2 = HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1e-6);
    HistogramBuckets linear = HistogramBuckets.of(HistogramBuckets.Kind.LINEAR, 0, 20, 10);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"));
        MapStream latencyStream = stream(obj.map("latency_exp2"));
        MapStream sizeStream = stream(obj.map("size_linear"));
        MapHistograms latency = MapHistograms.builder("latency_seconds").bucketField("bucket")
            .buckets(exp2).build(latencyStream);
        MapHistograms size = MapHistograms.builder("size").bucketField("bucket").buckets(linear).build(sizeStream);
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      latency.bindTo(registry);
      size.bindTo(registry);
      write(obj, READS, 0);
      write(obj, WRITES, 1);
      try (PrometheusProcess prom = PrometheusProcess.start(tmp, "127.0.0.1:" + server.port(), "")) {
        prom.await("bpfmap_latency_exp2_latency_seconds_count", r -> r.size() == 2 && total(r) == 1050);
        for (double q : new double[] {0.05, 0.5, 0.9, 0.99}) {
          double expected = interpolated(q, exp2.upperBounds(), READS, MapHistogramsTest::log2Up);
          assertThat(single(prom.query("histogram_quantile(" + q
              + ", bpfmap_latency_exp2_latency_seconds_bucket{op=\"OP_READ\"})"))).as("exp2 q%s", q)
              .isCloseTo(expected, within(expected * 1e-9));
          double expectedLinear = interpolated(q, linear.upperBounds(), READS, v -> Math.min(20, (v + 9) / 10));
          assertThat(single(prom.query("histogram_quantile(" + q + ", bpfmap_size_linear_size_bucket{op=\"OP_READ\"})")))
              .as("linear q%s", q).isCloseTo(expectedLinear, within(Math.max(expectedLinear, 1) * 1e-9));
        }
        // the median read is 100 µs: PromQL puts it in its bucket (64, 128] µs
        assertThat(single(prom.query("histogram_quantile(0.5, bpfmap_latency_exp2_latency_seconds_bucket{op=\"OP_READ\"})")))
            .isBetween(64e-6, 128e-6);
        assertThat(single(prom.query("bpfmap_latency_exp2_latency_seconds_sum{op=\"OP_READ\"}")))
            .isCloseTo((100 * 3 + 300 * 20 + 500 * 100 + 100 * 5000) * 1e-6, within(1e-9));
        assertThat(single(prom.query("bpfmap_latency_exp2_latency_seconds_count{op=\"OP_WRITE\"}"))).isEqualTo(50);
        assertThat(single(prom.query("bpfmap_size_linear_size_sum{op=\"OP_WRITE\"}"))).isEqualTo(50 * 1000 * 10);
      }
    }
  }

  /** exp2 buckets of microseconds are those of a native histogram: Prometheus takes them as one. */
  @Test
  void exp2BucketsOfAPowerOfTwoAreANativeHistogramToo(@TempDir Path tmp) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"));
        MapStream latencyStream = stream(obj.map("latency_exp2"));
        MapHistograms latency = MapHistograms.builder("latency_us").bucketField("bucket")
            .buckets(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1)).build(latencyStream);
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      latency.bindTo(registry);
      write(obj, READS, 0);
      try (PrometheusProcess prom = PrometheusProcess.startJobs(tmp, java.util.List.of(
          "--enable-feature=native-histograms"), PrometheusProcess.job("bpfmap", "127.0.0.1:" + server.port(), ""))) {
        String series = "bpfmap_latency_exp2_latency_us{op=\"OP_READ\"}";
        prom.await("histogram_count(" + series + ")", r -> r.size() == 1 && r.get(0).get("value").get(1).asDouble() == 1000);
        assertThat(single(prom.query("histogram_sum(" + series + ")"))).isEqualTo(100 * 3 + 300 * 20 + 500 * 100 + 100 * 5000);
        // the median read, 100 µs, in its native bucket (64, 128]
        assertThat(single(prom.query("histogram_quantile(0.5, " + series + ")"))).isBetween(64.0, 128.0);
        assertThat(prom.query("bpfmap_latency_exp2_latency_us_bucket")).as("native, not classic").isEmpty();
        assertThat(server.protobufScrapes()).isPositive();
      }
    }
  }

  private static double total(JsonNode result) {
    double t = 0;
    for (JsonNode s : result) {
      t += s.get("value").get(1).asDouble();
    }
    return t;
  }

  private static double single(JsonNode result) {
    assertThat(result).hasSize(1);
    return result.get(0).get("value").get(1).asDouble();
  }

  @Test
  void slotsInTheValueAndPerCpuBucketMapsAreHistogramsToo() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"));
        MapStream slotsStream = stream(obj.map("latency_slots"));
        MapStream percpuStream = stream(obj.map("latency_percpu"));
        // libbpf-tools' slots round down: slot i holds [2^i, 2^(i+1)), bucket exp2 i + 1
        MapHistograms slots = MapHistograms.builder("latency_us").slotsField("slots").sumField("sum")
            .buckets(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 1, 16, 1)).build(slotsStream);
        MapHistograms percpu = MapHistograms.builder("latency_us")
            .buckets(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1)).build(percpuStream)) {
      slots.bindTo(registry);
      percpu.bindTo(registry);
      // from several threads, so that the per-CPU counts land on more than one CPU
      for (int t = 0; t < 4; t++) {
        Thread th = Thread.ofPlatform().start(() -> write(obj, READS, 0));
        th.join();
      }
      String op = "{key=\"OP_READ\"";  // an enum key: one field, named key
      Await.until(() -> registry.scrape().contains("bpfmap_latency_slots_latency_us_count" + op + "} 4000"));
      String text = registry.scrape();
      // 3 µs is in slot 1, [2, 4): le 4; 20 in slot 4, [16, 32): le 32; 100 in slot 6: le 128
      assertThat(text).contains("bpfmap_latency_slots_latency_us_bucket" + op + ",le=\"2.0\"} 0",
          "bpfmap_latency_slots_latency_us_bucket" + op + ",le=\"4.0\"} 400",
          "bpfmap_latency_slots_latency_us_bucket" + op + ",le=\"32.0\"} 1600",
          "bpfmap_latency_slots_latency_us_bucket" + op + ",le=\"128.0\"} 3600",
          "bpfmap_latency_slots_latency_us_sum" + op + "} " + 4.0 * (300 + 6000 + 50000 + 500000),
          "bpfmap_latency_slots_latency_us_bucket" + op + ",le=\"65536.0\"} 4000");
      // the per-CPU array: the CPUs' counts summed, no label
      Await.until(() -> registry.scrape().contains("bpfmap_latency_percpu_latency_us_count 4000"));
      assertThat(registry.scrape()).contains("bpfmap_latency_percpu_latency_us_bucket{le=\"4.0\"} 400",
          "bpfmap_latency_percpu_latency_us_bucket{le=\"128.0\"} 3600")
          .doesNotContain("bpfmap_latency_percpu_latency_us_sum");
    }
  }

  /** Label sets that decode alike add up, bucket by bucket and in their sums. */
  @Test
  void keysWhoseLabelsDecodeAlikeAddUp() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"));
        MapStream latencyStream = stream(obj.map("latency_exp2"));
        MapHistograms latency = MapHistograms.builder("latency_us").bucketField("bucket")
            .label("op", LabelDecoder.of(Map.of("enum", Map.of(0, "io", 1, "io"))))
            .buckets(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 0, 26, 1)).build(latencyStream)) {
      latency.bindTo(registry);
      write(obj, READS, 0);
      write(obj, Map.of(100L, 50), 1);
      // reads and writes are one series: 1000 + 50 samples, 500 + 50 of them at 100 µs (le 128)
      Await.until(() -> registry.scrape().contains("bpfmap_latency_exp2_latency_us_count{op=\"io\"} 1050"));
      assertThat(registry.scrape()).contains("bpfmap_latency_exp2_latency_us_bucket{op=\"io\",le=\"128.0\"} 950",
          "bpfmap_latency_exp2_latency_us_sum{op=\"io\"} " + (100.0 * 3 + 300 * 20 + 500 * 100 + 100 * 5000 + 50 * 100));
    }
  }

  @Test
  void aHistogramsFieldsAreCheckedAgainstItsMap() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"));
        MapStream exp2 = stream(obj.map("latency_exp2"));
        MapStream slots = stream(obj.map("latency_slots"))) {
      assertThatThrownBy(() -> MapHistograms.builder("h").build(exp2))
          .hasMessage("histogram 'h' of map 'latency_exp2': say which key field holds the bucket (bucket) or which "
              + "value array holds the buckets (slots); the key has op, bucket");
      assertThatThrownBy(() -> MapHistograms.builder("h").bucketField("bukket").build(exp2))
          .hasMessage("histogram 'h' of map 'latency_exp2': bucket field 'bukket' is not a key field (the key has op, bucket)");
      assertThatThrownBy(() -> MapHistograms.builder("h").bucketField("bucket").label("cpu", null).build(exp2))
          .hasMessage("histogram 'h' of map 'latency_exp2': label field 'cpu' is not a key field besides the bucket "
              + "(it has op)");
      assertThatThrownBy(() -> MapHistograms.builder("h").slotsField("sum").build(slots))
          .hasMessage("histogram 'h' of map 'latency_slots': slots field 'sum' is not an array of the value");
      assertThatThrownBy(() -> MapHistograms.builder("h").slotsField("slots")
          .buckets(HistogramBuckets.of(HistogramBuckets.Kind.EXP2, 1, 10, 1)).build(slots))
          .hasMessage("histogram 'h' of map 'latency_slots': slots field 'slots' has 16 slots, the buckets 10: one "
              + "bucket a slot (bucket-max = bucket-min + 15)");
      assertThatThrownBy(() -> MapHistograms.builder("h").bucketField("bucket").countField("nope").build(exp2))
          .hasMessageStartingWith("histogram 'h' of map 'latency_exp2': count field nope: no such field in the layout");
      assertThatThrownBy(() -> MapHistograms.builder("h").slotsField("slots").bucketField("op").build(slots))
          .hasMessage("histogram 'h' of map 'latency_slots': give the bucket as a key field (bucket) or the value's "
              + "array of slots (slots), not both");
    }
  }
}
