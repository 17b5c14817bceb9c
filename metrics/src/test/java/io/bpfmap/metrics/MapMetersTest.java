package io.bpfmap.metrics;

import io.bpfmap.core.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.KernelTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Map fields as meters, scraped over HTTP from real maps. */
@KernelTest
class MapMetersTest {
  private static final String SERIES_0 = "{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0.0\",sport=\"1000\"}";

  static void nextCycle(VirtualTimeScheduler vts, MapStream stream) throws InterruptedException {
    long target = stream.stats().cycles() + 1;
    while (stream.stats().cycles() < target) {
      vts.advanceTimeBy(Duration.ofSeconds(10));
      Thread.sleep(20);
    }
  }

  private static MapMeters meters(MapStream stream, int max) {
    return MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER).metric("bytes", MapMeters.Type.COUNTER)
        .metric("level", MapMeters.Type.GAUGE).label("saddr", LabelDecoder.of("ipv4"))
        .label("daddr", LabelDecoder.of("ipv4")).maxSeries(max).build();
  }

  @Test
  void scrapeShowsOneSeriesPerKeyWithDecodedLabelsAndTheMapsValues() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_meters");
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      for (int i = 0; i < 5; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i * 10L, i * 1500L, -i));
      }
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      try (MapMeters meters = meters(stream, 100)) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        String text = FlowMap.get(server.port(), "/metrics", null).body();
        for (int i = 0; i < 5; i++) {
          String labels = "{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0." + i + "\",sport=\"" + (1000 + i) + "\"}";
          assertThat(text).contains("bpfmap_flows_packets_total" + labels + " " + (i * 10.0));
          assertThat(text).contains("bpfmap_flows_bytes_total" + labels + " " + (i * 1500.0));
          assertThat(text).contains("bpfmap_flows_level" + labels + " " + (double) -i);
        }
        assertThat(text.lines().filter(l -> l.startsWith("bpfmap_flows_packets_total{"))).hasSize(5);
        assertThat(text).doesNotContain("bpfmap_flows_level_total").doesNotContain("secret")
            .doesNotContain("987654321123");
        assertThat(text).contains("# TYPE bpfmap_flows_packets_total counter", "# TYPE bpfmap_flows_level gauge");

        map.delete(FlowMap.key(0));
        nextCycle(vts, stream);
        String after = FlowMap.get(server.port(), "/metrics", null).body();
        assertThat(after).doesNotContain(SERIES_0);
        assertThat(after.lines().filter(l -> l.startsWith("bpfmap_flows_packets_total{"))).hasSize(4);
      }
      assertThat(FlowMap.get(server.port(), "/metrics", null).body()).doesNotContain("bpfmap_flows_packets_total{");
    }
  }

  /**
   * Bound to a Prometheus registry, the meters are one collector; bound to any other registry
   * (here a composite over a Prometheus one, as the daemon makes with OTLP), a meter per series.
   * Both scrape alike, line for line, in the text format and in OpenMetrics.
   */
  @Test
  void theCollectorScrapesAsTheMetersDo() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry direct = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PrometheusMeterRegistry underComposite = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var composite = new io.micrometer.core.instrument.composite.CompositeMeterRegistry().add(underComposite);
    try (BpfMap map = FlowMap.create("t_collector")) {
      for (int i = 0; i < 20; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i * 10L, i * 1500L, -i));
      }
      MapStream one = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      MapStream two = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      try (MapMeters collected = meters(one, 100); MapMeters metered = meters(two, 100)) {
        collected.bindTo(direct);
        metered.bindTo(composite);
        Await.until(() -> one.stats().cycles() >= 1 && two.stats().cycles() >= 1);
        for (String format : new String[] {"text/plain; version=0.0.4", "application/openmetrics-text; version=1.0.0"}) {
          List<String> a = flowLines(direct.scrape(format));
          List<String> b = flowLines(underComposite.scrape(format));
          assertThat(a).as(format).hasSize(3 * 20 + 3 * 2).isEqualTo(b);
        }
      }
    }
  }

  /** A key field whose name is no Prometheus label name is made one, as Micrometer makes it, on both paths. */
  @Test
  void oddKeyFieldNamesAreLabelsOnBothPaths() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    io.bpfmap.core.record.RecordLayout key = io.bpfmap.core.record.RecordLayout.parse("[[\"__pad\",\"I\"],[\"id\",\"I\"]]");
    io.bpfmap.core.record.RecordLayout value = io.bpfmap.core.record.RecordLayout.parse("[[\"n\",\"Q\"]]");
    PrometheusMeterRegistry direct = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    PrometheusMeterRegistry underComposite = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var composite = new io.micrometer.core.instrument.composite.CompositeMeterRegistry().add(underComposite);
    try (BpfMap map = BpfMap.create(io.bpfmap.core.MapSpec.of(io.bpfmap.core.MapType.HASH, "t_odd", 8, 8, 8))) {
      map.parsed(key, value).update(Map.of("__pad", 7, "id", 1), Map.of("n", 5L));
      MapStream one = MapStream.builder(map).name("odd").keyLayout(key).valueLayout(value).interval(Duration.ofSeconds(10))
          .timer(vts).build();
      MapStream two = MapStream.builder(map).name("odd").keyLayout(key).valueLayout(value).interval(Duration.ofSeconds(10))
          .timer(vts).build();
      try (MapMeters a = MapMeters.builder(one).metric("n", MapMeters.Type.COUNTER).build();
          MapMeters b = MapMeters.builder(two).metric("n", MapMeters.Type.COUNTER).build()) {
        a.bindTo(direct);
        b.bindTo(composite);
        Await.until(() -> one.stats().cycles() >= 1 && two.stats().cycles() >= 1);
        List<String> collected = direct.scrape().lines().filter(l -> l.startsWith("bpfmap_odd_n")).toList();
        assertThat(collected).containsExactly("bpfmap_odd_n_total{_pad=\"7\",id=\"1\"} 5.0");
        assertThat(collected).isEqualTo(underComposite.scrape().lines().filter(l -> l.startsWith("bpfmap_odd_n")).toList());
      }
    }
  }

  /** The map's own lines (HELP, TYPE and samples of bpfmap_flows_*), sorted. */
  private static List<String> flowLines(String scrape) {
    return scrape.lines().filter(l -> l.contains("bpfmap_flows_")).sorted().toList();
  }

  /** Number decoders get the field's integer: not 1001.0, nor 443.0 missing its enum name. */
  @Test
  void numberDecodersGiveIntegersAndEnumNames() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_decoders");
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      map.update(FlowMap.key(1), FlowMap.value(10L, 1500L, 0));
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .label("saddr", LabelDecoder.of("ipv4")).label("daddr", LabelDecoder.of("ipv4"))
          .label("sport", LabelDecoder.of("unsigned")).label("dport", LabelDecoder.of(Map.of("enum", Map.of(443, "https"))))
          .build()) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        assertThat(FlowMap.get(server.port(), "/metrics", null).body()).contains(
            "bpfmap_flows_packets_total{daddr=\"192.168.0.1\",dport=\"https\",saddr=\"10.0.0.1\",sport=\"1001\"} 10.0");
      }
    }
  }

  /** Keys whose labels decode alike are one series: the sum of their values, as ebpf_exporter shows them. */
  @Test
  void keysThatDecodeToTheSameLabelsAreSummed() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_collide")) {
      map.update(FlowMap.key(0), FlowMap.value(10, 100, 0));
      map.update(FlowMap.key(1), FlowMap.value(7, 70, 0));
      map.update(FlowMap.key(2), FlowMap.value(1, 10, 0));
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      // saddrs 10.0.0.0 and .1 are one network, sports 1000 and 1001 one service: keys 0 and 1 share their labels
      Map<Long, String> nets = new java.util.HashMap<>();
      for (int i = 0; i < 3; i++) {
        long saddr = java.nio.ByteBuffer.wrap(FlowMap.key(i), 0, 4).order(java.nio.ByteOrder.nativeOrder()).getInt()
            & 0xFFFF_FFFFL;
        nets.put(saddr, i < 2 ? "net-a" : "net-b");
      }
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .label("saddr", LabelDecoder.of(Map.of("enum", nets)))
          .label("sport", LabelDecoder.of(Map.of("enum", Map.of(1000, "web", 1001, "web", 1002, "db"))))
          .build()) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        assertThat(registry.scrape()).contains("saddr=\"net-a\",sport=\"web\"} 17.0",
            "saddr=\"net-b\",sport=\"db\"} 1.0");
        map.delete(FlowMap.key(1));
        nextCycle(vts, stream);
        assertThat(registry.scrape()).as("a key gone leaves the others' sum").contains(
            "saddr=\"net-a\",sport=\"web\"} 10.0");
        map.delete(FlowMap.key(0));
        nextCycle(vts, stream);
        assertThat(registry.scrape()).doesNotContain("net-a").contains("net-b");
      }
    }
  }

  /** Values a decoder has no name for are counted; a series an allow-list or a dropping table refuses is not exported. */
  @Test
  void unknownLabelValuesAreCountedAndDroppedSeriesLeftOut() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_unknown")) {
      for (int i = 0; i < 4; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i, i, 0));
      }
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, vts);
      // saddrs 10.0.0.0..3 allowed when they end in 0, 1 or 2 (decoded first: the key's first field); then
      // sports 1000..1003: two named, the others unknown and dropped: 1002 (10.0.0.3 was dropped before)
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .label("sport", LabelDecoder.of(Map.of("enum", Map.of(1000, "a", 1001, "b"), "unknown", "drop")))
          .label("saddr", LabelDecoder.of(java.util.List.of("ipv4", Map.of("regexp", "\\.[0-2]$")))).build()) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        String text = registry.scrape();
        assertThat(text.lines().filter(l -> l.startsWith("bpfmap_flows_packets_total{"))).hasSize(2);
        assertThat(text).contains("saddr=\"10.0.0.0\",sport=\"a\"} 0.0", "saddr=\"10.0.0.1\",sport=\"b\"} 1.0",
            "bpfmap_labels_unknown_total{label=\"sport\",map=\"flows\"} 1.0",
            "bpfmap_labels_unknown_total{label=\"saddr\",map=\"flows\"} 0.0");
      }
      assertThat(registry.scrape()).doesNotContain("bpfmap_labels_unknown_total");
    }
  }

  /**
   * A map with BTF and no layout given: an enum key field labels its series by name, a char array
   * by its text, bitfields by their numbers; value bitfields and enums are meters too.
   */
  @Test
  void btfKeysLabelSeriesByEnumNameAndBitfieldsAreMeters() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("kinds"));
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      BpfMap map = obj.map("kinds_hash");
      ParsedMap parsed = map.parsed();
      java.util.Map<String, Object> value = new java.util.HashMap<>(parsed.valueLayout().unpack(
          new byte[map.info().valueSize()]));
      value.put("u64v", 42L);
      value.put("bf4", -5L);
      value.put("color", "BLUE");
      parsed.update(java.util.Map.of("saddr", 1, "sport", 2, "proto", 3, "color", "NEGATIVE", "ifname", "eth0",
          "flag", 1, "level", 5, "delta", -3, "hue", 7), value);
      MapStream stream = MapStream.builder(map).name("kinds").interval(Duration.ofSeconds(10)).timer(vts).build();
      try (MapMeters meters = MapMeters.builder(stream).metric("u64v", MapMeters.Type.COUNTER)
          .metric("bf4", MapMeters.Type.GAUGE).metric("color", MapMeters.Type.GAUGE).build()) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        String labels = "{color=\"NEGATIVE\",delta=\"-3\",flag=\"1\",hue=\"7\",ifname=\"eth0\",level=\"5\","
            + "proto=\"3\",saddr=\"1\",sport=\"2\"}";
        String text = FlowMap.get(server.port(), "/metrics", null).body();
        assertThat(text).contains("bpfmap_kinds_u64v_total" + labels + " 42.0", "bpfmap_kinds_bf4" + labels + " -5.0",
            "bpfmap_kinds_color" + labels + " 7.0");
      }
    }
  }

  @Test
  void theSeriesCapHoldsAndCountsWhatItRefused() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_cap")) {
      for (int i = 0; i < 8; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i, i, i));
      }
      MapStream stream = FlowMap.stream(map, "capped", Mode.SNAPSHOT, vts);
      try (MapMeters meters = meters(stream, 5)) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        String text = registry.scrape();
        assertThat(text.lines().filter(l -> l.startsWith("bpfmap_capped_packets_total{"))).hasSize(5);
        assertThat(text).contains("bpfmap_series_refused_total{map=\"capped\"} 3.0");
        assertThat(text).contains("bpfmap_series{map=\"capped\"} 5.0");
        nextCycle(vts, stream);
        assertThat(registry.scrape()).contains("bpfmap_series_refused_total{map=\"capped\"} 6.0");
      }
    }
  }

  @Test
  void aHiddenFieldCannotBecomeAMeter() {
    try (BpfMap map = FlowMap.create("t_hidden")) {
      MapStream stream = FlowMap.stream(map, "hidden", Mode.SNAPSHOT, VirtualTimeScheduler.create());
      assertThatThrownBy(() -> MapMeters.builder(stream).metric("secret", MapMeters.Type.GAUGE).build())
          .hasMessage("mask secret: the field is hidden");
      assertThatThrownBy(() -> MapMeters.builder(stream).metric("packets", MapMeters.Type.GAUGE)
              .label("nope", LabelDecoder.of("hex")).build())
          .hasMessage("label field 'nope' is not a key field of map 'hidden'");
    }
  }

  @Test
  void changesModeRemovesTheSeriesOfADeletedKey() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_chg")) {
      for (int i = 0; i < 3; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i, i, i));
      }
      MapStream stream = FlowMap.stream(map, "chg", Mode.CHANGES, vts);
      try (MapMeters meters = meters(stream, 100)) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        map.delete(FlowMap.key(0));
        map.update(FlowMap.key(1), FlowMap.value(77, 1, 1));
        nextCycle(vts, stream);
        String text = registry.scrape();
        assertThat(text).doesNotContain(SERIES_0);
        assertThat(text).contains("bpfmap_chg_packets_total{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0.1\",sport=\"1001\"} 77.0");
        assertThat(text).contains("saddr=\"10.0.0.2\"");
      }
    }
  }

  @Test
  void healthReportsAMapThatFailed() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      BpfMap map = FlowMap.create("t_health");
      map.update(FlowMap.key(1), FlowMap.value(1, 1, 1));
      MapStream stream = FlowMap.stream(map, "health", Mode.SNAPSHOT, vts);
      server.watch(stream.stats());
      new SelfMetrics(stream.stats()).bindTo(registry);
      try (MapMeters meters = meters(stream, 10)) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        var ok = FlowMap.get(server.port(), "/health", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"health\":{\"status\":\"UP\",\"cycles\":1").endsWith("\"status\":\"UP\"}");
        map.close();
        vts.advanceTimeBy(Duration.ofSeconds(10));
        Await.until(() -> stream.stats().errors() > 0);
        var down = FlowMap.get(server.port(), "/health", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"status\":\"DOWN\"", "\"lastError\":\"batch lookup on map 't_health': the map is closed\"");
        String text = registry.scrape();
        assertThat(text).contains("bpfmap_errors_total{map=\"health\"} 1.0", "bpfmap_entries_read_total{map=\"health\"} 1.0",
            "bpfmap_poll_duration_seconds_count{map=\"health\"} 1");
      }
    }
  }

  /** A counter field holding -5 (a signed field): the scrape still succeeds and says what it skipped. */
  @Test
  void aNegativeCounterIsSkippedAndCountedNotFailingTheScrape() throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry);
        BpfMap map = FlowMap.create("t_negative")) {
      map.update(FlowMap.key(1), FlowMap.value(10, 100, 3));
      map.update(FlowMap.key(2), FlowMap.value(20, 200, -5));
      MapStream stream = FlowMap.stream(map, "neg", Mode.SNAPSHOT, vts);
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .metric("level", MapMeters.Type.COUNTER).label("saddr", LabelDecoder.of("ipv4"))
          .label("daddr", LabelDecoder.of("ipv4")).build()) {
        meters.bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        var scrape = FlowMap.get(server.port(), "/metrics", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
            .contains("bpfmap_neg_level_total{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0.1\",sport=\"1001\"} 3.0")
            .contains("bpfmap_neg_packets_total{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0.2\",sport=\"1002\"} 20.0")
            .contains("bpfmap_decode_errors_total{field=\"level\",map=\"neg\"} 1.0")
            .contains("bpfmap_decode_errors_total{field=\"packets\",map=\"neg\"} 0.0");
      }
    }
  }

  @Test
  void aPortInUseIsAOneLineError() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer first = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      assertThatThrownBy(() -> MetricsServer.start(new InetSocketAddress("127.0.0.1", first.port()), registry))
          .hasMessage("listen 127.0.0.1:" + first.port() + ": address already in use");
    }
  }

  @Test
  void openMetricsIsServedWhenAsked() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      registry.counter("bpfmap.test", List.of()).increment();
      var om = FlowMap.get(server.port(), "/metrics", "application/openmetrics-text;version=1.0.0");
      assertThat(om.headers().firstValue("Content-Type")).hasValue(MetricsServer.OPENMETRICS_TEXT);
      assertThat(om.body()).endsWith("# EOF\n");
      var text = FlowMap.get(server.port(), "/metrics", "text/plain");
      assertThat(text.headers().firstValue("Content-Type")).hasValue(MetricsServer.PROMETHEUS_TEXT);
      assertThat(text.body()).doesNotContain("# EOF");
    }
  }
}
