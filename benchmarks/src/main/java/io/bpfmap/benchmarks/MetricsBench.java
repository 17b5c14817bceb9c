package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.metrics.LabelDecoder;
import io.bpfmap.metrics.MapMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scrape of a map of 10 000 keys × 4 numeric fields exported by {@link MapMeters}, against a
 * registry holding the same 40 000 series as plain gauges (same names and labels), in one run:
 * milliseconds and bytes per scrape. Then {@link HistogramBench}.
 */
final class MetricsBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"drops\",\"Q\"],[\"rtt\",\"Q\"]]");
  private static final String[] FIELDS = {"packets", "bytes", "drops", "rtt"};
  private static final int KEYS = 10_000;
  private static final int WARMUPS = 10;
  private static final int ROUNDS = 30;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  private MetricsBench() {}

  static void run() {
    PrometheusMeterRegistry ours = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "bench_metrics", KEY.size(), VALUE.size(), KEYS))) {
      for (int i = 0; i < KEYS; i++) {
        map.update(key(i), VALUE.pack(Map.of("packets", i * 3L, "bytes", i * 1500L, "drops", (long) i % 7, "rtt", 1000L + i)));
      }
      MapStream stream = MapStream.builder(map).name("flows").keyLayout(KEY).valueLayout(VALUE)
          .interval(Duration.ofHours(1)).build();
      MapMeters.Builder b = MapMeters.builder(stream).maxSeries(KEYS).label("saddr", LabelDecoder.of("ipv4"))
          .label("daddr", LabelDecoder.of("ipv4"));
      for (String f : FIELDS) {
        b.metric(f, MapMeters.Type.GAUGE);
      }
      try (MapMeters meters = b.build()) {
        meters.bindTo(ours);
        while (stream.stats().cycles() < 1) {
          Thread.sleep(10);
        }
        compare("metrics.scrape.10k_keys_x4", ours, plainGauges());
      }
      HistogramBench.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The same series as plain gauges over plain numbers. */
  private static PrometheusMeterRegistry plainGauges() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<AtomicLong> holders = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      Tags tags = Tags.of("saddr", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
          "daddr", "192.168.0.1", "sport", Integer.toString(1000 + i % 60000), "dport", "443");
      for (int f = 0; f < FIELDS.length; f++) {
        AtomicLong v = new AtomicLong(i * 10L + f);
        holders.add(v);
        Gauge.builder("bpfmap.flows." + FIELDS[f], v, AtomicLong::get).tags(tags)
            .description("Field " + FIELDS[f] + " of the BPF map's values").strongReference(true).register(registry);
      }
    }
    return registry;
  }

  /**
   * Scrapes both registries in turn, {@link #WARMUPS} warm-ups then {@link #ROUNDS} measured rounds
   * of each, the order swapped each round, and reports milliseconds, bytes and megabytes allocated
   * per scrape, ours against the reference. A full GC before each scrape, outside its time, keeps
   * one scrape's garbage from being collected in the other's time, which moved single rounds 2×;
   * the megabytes allocated show what that leaves out.
   */
  static void compare(String name, PrometheusMeterRegistry ours, PrometheusMeterRegistry reference) {
    List<Double> o = new ArrayList<>();
    List<Double> r = new ArrayList<>();
    List<Double> oMb = new ArrayList<>();
    List<Double> rMb = new ArrayList<>();
    int[] bytes = new int[2];
    for (int i = 0; i < WARMUPS + ROUNDS; i++) {
      double[] a;
      double[] b;
      if (i % 2 == 0) {
        a = scrape(ours, bytes, 0);
        b = scrape(reference, bytes, 1);
      } else {
        b = scrape(reference, bytes, 1);
        a = scrape(ours, bytes, 0);
      }
      if (i >= WARMUPS) {
        o.add(a[0]);
        r.add(b[0]);
        oMb.add(a[1]);
        rMb.add(b[1]);
      }
    }
    Bench.reportPaired(name, "ms", o, "ref_ms", r, "bytes=" + bytes[0], "ref_bytes=" + bytes[1],
        "alloc_mb=" + Bench.range(oMb), "ref_alloc_mb=" + Bench.range(rMb));
  }

  /** Milliseconds and megabytes allocated of one scrape, after a full GC; its size goes to {@code bytes[at]}. */
  private static double[] scrape(PrometheusMeterRegistry registry, int[] bytes, int at) {
    System.gc();
    long a0 = THREADS.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    String body = registry.scrape();
    double took = (System.nanoTime() - t0) / 1e6;
    double mb = (THREADS.getCurrentThreadAllocatedBytes() - a0) / 1e6;
    bytes[at] = body.getBytes(StandardCharsets.UTF_8).length;
    return new double[] {took, mb};
  }

  private static byte[] key(int i) {
    ByteBuffer b = ByteBuffer.allocate(KEY.size());
    b.putInt(0x0A000000 + i).putInt(0xC0A80001);
    b.order(java.nio.ByteOrder.nativeOrder()).putShort((short) (1000 + i % 60000)).putShort((short) 443);
    return b.array();
  }
}
