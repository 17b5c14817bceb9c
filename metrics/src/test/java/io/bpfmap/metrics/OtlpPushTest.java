package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * A map's meters pushed with OTLP to a receiver of the test's that decodes each request with
 * opentelemetry-proto: the series, their attributes (the key's labels and the map) and the resource.
 */
@KernelTest
class OtlpPushTest {
  private static Map<String, String> attributes(List<KeyValue> kvs) {
    return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
  }

  @Test
  void aMapsMetersReachTheCollectorWithTheirAttributes() throws Exception {
    List<ExportMetricsServiceRequest> received = new CopyOnWriteArrayList<>();
    List<String> headers = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/metrics", x -> {
      received.add(ExportMetricsServiceRequest.parseFrom(x.getRequestBody().readAllBytes()));
      headers.add(x.getRequestHeaders().getFirst("Authorization"));
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    collector.start();
    OtlpPush.Settings settings = new OtlpPush.Settings(
        URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics"),
        Map.of("Authorization", "Bearer t0ken"), Duration.ofSeconds(1), "node-7", Map.of("deployment.environment", "test"));
    try (BpfMap map = FlowMap.create("t_otlp"); OtlpPush push = OtlpPush.start(settings, List.of("flows"))) {
      for (int i = 1; i <= 3; i++) {
        map.update(FlowMap.key(i), FlowMap.value(i * 100L, i * 1000L, i));
      }
      MapStream stream = FlowMap.stream(map, "flows", Mode.SNAPSHOT, Schedulers.parallel());
      try (MapMeters meters = MapMeters.builder(stream).metric("packets", MapMeters.Type.COUNTER)
          .metric("level", MapMeters.Type.GAUGE).label("saddr", LabelDecoder.of("ipv4")).build()) {
        meters.bindTo(push.registry());
        Await.until(() -> stream.stats().cycles() >= 1);
        Await.until(() -> points(received, "bpfmap.flows.packets").size() == 3);
      }
    } finally {
      collector.stop(0);
    }
    ResourceMetrics rm = received.getLast().getResourceMetrics(0);
    assertThat(attributes(rm.getResource().getAttributesList())).containsEntry("service.name", "bpfmap")
        .containsEntry("host.name", "node-7").containsEntry("deployment.environment", "test");
    Map<String, Double> bySaddr = points(received, "bpfmap.flows.packets").stream()
        .collect(Collectors.toMap(p -> attributes(p.getAttributesList()).get("saddr"), NumberDataPoint::getAsDouble,
            (a, b) -> b));
    assertThat(bySaddr).isEqualTo(Map.of("10.0.0.1", 100.0, "10.0.0.2", 200.0, "10.0.0.3", 300.0));
    assertThat(points(received, "bpfmap.flows.packets")).allSatisfy(p -> assertThat(attributes(p.getAttributesList()))
        .containsEntry("map", "flows").containsKeys("sport", "daddr", "dport"));
    assertThat(metric(received, "bpfmap.flows.packets").getSum().getIsMonotonic()).as("a counter").isTrue();
    assertThat(points(received, "bpfmap.flows.level")).extracting(NumberDataPoint::getAsDouble)
        .containsExactlyInAnyOrder(1.0, 2.0, 3.0);
    assertThat(headers).contains("Bearer t0ken");
  }

  @Test
  void settingsThatCannotWorkAreRefused() {
    assertThatThrownBy(() -> new OtlpPush.Settings(URI.create("grpc://collector:4317"), Map.of(), Duration.ofSeconds(1),
        "n", Map.of())).hasMessage("endpoint 'grpc://collector:4317': expected an http:// or https:// URL");
    assertThatThrownBy(() -> new OtlpPush.Settings(URI.create("http://collector:4318/v1/metrics"), Map.of(),
        Duration.ZERO, "n", Map.of())).hasMessage("interval must be above zero, got PT0S");
  }

  private static Metric metric(List<ExportMetricsServiceRequest> requests, String name) {
    for (ExportMetricsServiceRequest r : requests.reversed()) {
      for (ResourceMetrics rm : r.getResourceMetricsList()) {
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            if (m.getName().equals(name)) {
              return m;
            }
          }
        }
      }
    }
    return null;
  }

  /** The data points of the last push that held {@code name}. */
  private static List<NumberDataPoint> points(List<ExportMetricsServiceRequest> requests, String name) {
    Metric m = metric(requests, name);
    if (m == null) {
      return List.of();
    }
    return m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
  }
}
