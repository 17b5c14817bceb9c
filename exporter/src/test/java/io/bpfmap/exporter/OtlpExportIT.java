package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon pushes a map's meters with OTLP and no Prometheus endpoint: a receiver of the test's
 * decodes the requests and finds the counts the program wrote, with the map's and the node's
 * attributes; the stop pushes once more.
 */
@KernelTest
class OtlpExportIT {
  private static Map<String, String> attributes(List<KeyValue> kvs) {
    return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
  }

  /** The data points of {@code name} in the last request that has it. */
  private static List<NumberDataPoint> points(List<ExportMetricsServiceRequest> requests, String name) {
    for (ExportMetricsServiceRequest r : requests.reversed()) {
      for (var rm : r.getResourceMetricsList()) {
        for (var sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            if (m.getName().equals(name)) {
              return m.hasSum() ? m.getSum().getDataPointsList() : m.getGauge().getDataPointsList();
            }
          }
        }
      }
    }
    return List.of();
  }

  @Test
  void theDaemonPushesAMapsMetersToACollector(PinDir pins, @TempDir Path tmp) throws Exception {
    List<ExportMetricsServiceRequest> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/metrics", x -> {
      received.add(ExportMetricsServiceRequest.parseFrom(x.getRequestBody().readAllBytes()));
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    collector.start();
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"))) {
      obj.pinMaps(pins.path());
      ByteBuffer packet = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
      packet.putLong(14, 100).putInt(22, 1);  // 100 µs, a write: bucket 7
      obj.program("record").testRun(packet.array(), 12);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: n9
          maps:
            - name: lat
              pin: %s/latency_exp2
              interval: 200ms
              metrics: [{field: value, type: counter}]
          sinks:
            otlp:
              endpoint: http://127.0.0.1:%d/v1/metrics
              interval: 1s
              resource-attributes: {deployment.environment: test}
          """.formatted(pins.path(), collector.getAddress().getPort()));
      Process daemon = Cli.startLogged(tmp.resolve("daemon.log"), "export", "--config", cfg.toString());
      try {
        Await.until(() -> points(received, "bpfmap.lat.value").stream()
            .anyMatch(p -> "7".equals(attributes(p.getAttributesList()).get("bucket")) && p.getAsDouble() == 12));
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).as(Files.readString(tmp.resolve("daemon.log"))).isZero();
    } finally {
      collector.stop(0);
    }
    NumberDataPoint p = points(received, "bpfmap.lat.value").stream()
        .filter(d -> "7".equals(attributes(d.getAttributesList()).get("bucket"))).findFirst().orElseThrow();
    assertThat(attributes(p.getAttributesList())).containsEntry("map", "lat").containsEntry("op", "OP_WRITE");
    assertThat(attributes(received.getLast().getResourceMetrics(0).getResource().getAttributesList()))
        .containsEntry("host.name", "n9").containsEntry("service.name", "bpfmap")
        .containsEntry("deployment.environment", "test");
  }
}
