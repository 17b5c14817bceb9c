package io.bpfmap.metrics;

import io.bpfmap.core.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.BpfExtension;
import io.bpfmap.core.testing.KernelTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/** A real Prometheus server (Debian's package) scrapes the endpoint; promtool checks its output. */
@KernelTest
@Tag("prometheus")
class PrometheusServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void requireTool(String tool) throws Exception {
    boolean present = new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
    if (!present && BpfExtension.required()) {
      throw new AssertionError(tool + " is not installed (apt-get install prometheus); CI needs it");
    }
    Assumptions.assumeTrue(present, tool + " is not installed (apt-get install prometheus)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String promtool(String body) throws Exception {
    Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + ":" + out.strip();
  }

  @Test
  void prometheusScrapesTheMapsSeriesWithDecodedLabels(@TempDir Path tmp) throws Exception {
    requireTool("prometheus");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_prom");
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      for (int i = 1; i <= 3; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i * 100L, i * 1000L, i));
      }
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, Schedulers.parallel());
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .metric("level", MapMeters.Type.GAUGE).label("saddr", LabelDecoder.of("ipv4"))
          .label("daddr", LabelDecoder.of("ipv4")).build()) {
        meters.bindTo(registry);
        new SelfMetrics(stream.stats()).bindTo(registry);
        int promPort = freePort();
        Path config = Files.writeString(tmp.resolve("prometheus.yml"), """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: bpfmap
                static_configs:
                  - targets: ['127.0.0.1:%d']
            """.formatted(server.port()));
        Process prom = new ProcessBuilder("prometheus", "--config.file=" + config,
            "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
            .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        try {
          Map<String, String> byAddr = new HashMap<>();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (byAddr.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            byAddr.clear();
            try {
              var r = FlowMap.get(promPort, "/api/v1/query?query=bpfmap_flows_packets_total", null);
              for (JsonNode s : JSON.readTree(r.body()).path("data").path("result")) {
                byAddr.put(s.get("metric").get("saddr").asText() + " " + s.get("metric").get("sport").asText(),
                    s.get("value").get(1).asText());
              }
            } catch (IOException notUpYet) {
              // Prometheus is still starting
            }
          }
          assertThat(byAddr).as("PromQL result; log: %s", Files.readString(tmp.resolve("prometheus.log")))
              .isEqualTo(Map.of("10.0.0.1 1001", "100", "10.0.0.2 1002", "200", "10.0.0.3 1003", "300"));
          var up = JSON.readTree(FlowMap.get(promPort, "/api/v1/query?query=up", null).body());
          assertThat(up.path("data").path("result").get(0).get("value").get(1).asText()).isEqualTo("1");
          // Prometheus asks for OpenMetrics first: its own parser read our OpenMetrics output.
          assertThat(server.openMetricsScrapes()).isPositive();
        } finally {
          prom.destroy();
          prom.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** promtool (2.42) checks the text format; OpenMetrics is parsed by the server in the test above. */
  @Test
  void promtoolAcceptsTheTextOutput() throws Exception {
    requireTool("promtool");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfMap map = FlowMap.create("t_promtool");
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      map.update(FlowMap.key(1), FlowMap.value(1, 2, -3));
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, Schedulers.parallel());
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .metric("bytes", MapMeters.Type.COUNTER).metric("level", MapMeters.Type.GAUGE).build()) {
        meters.bindTo(registry);
        new SelfMetrics(stream.stats(), () -> 5, () -> 0).bindTo(registry);
        Await.until(() -> stream.stats().cycles() >= 1);
        String body = FlowMap.get(server.port(), "/metrics", "text/plain").body();
        assertThat(body).contains("bpfmap_flows_packets_total{", "bpfmap_kafka_records_sent_total{map=\"flows\"} 5.0");
        assertThat(promtool(body)).isEqualTo("0:");
      }
    }
  }
}
