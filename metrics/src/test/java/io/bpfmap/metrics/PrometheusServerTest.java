package io.bpfmap.metrics;

import io.bpfmap.core.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.KernelTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/** A real Prometheus server (Debian's package) scrapes the endpoint; promtool checks its output. */
@KernelTest
@Tag("prometheus")
class PrometheusServerTest {
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
        try (PrometheusProcess prom = PrometheusProcess.start(tmp, "127.0.0.1:" + server.port(), "")) {
          Map<String, String> byAddr = new HashMap<>();
          prom.await("bpfmap_flows_packets_total", r -> {
            byAddr.clear();
            for (JsonNode s : r) {
              byAddr.put(s.get("metric").get("saddr").asText() + " " + s.get("metric").get("sport").asText(),
                  s.get("value").get(1).asText());
            }
            return byAddr.size() == 3;
          });
          assertThat(byAddr).isEqualTo(Map.of("10.0.0.1 1001", "100", "10.0.0.2 1002", "200", "10.0.0.3 1003", "300"));
          assertThat(prom.query("up").get(0).get("value").get(1).asText()).isEqualTo("1");
          // Prometheus asks for OpenMetrics first: its own parser read our OpenMetrics output.
          assertThat(server.openMetricsScrapes()).isPositive();
        }
      }
    }
  }

  /** promtool (2.42) checks the text format; OpenMetrics is parsed by the server in the test above. */
  @Test
  void promtoolAcceptsTheTextOutput() throws Exception {
    PrometheusProcess.requireTool("promtool");
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
