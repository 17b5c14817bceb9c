package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** What an exporter serves besides its maps: a landing page, its build, the JVM's and the process's meters. */
class LandingAndProcessMetersTest {
  private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void landingPageLinksTheEndpointsAndOtherPathsAre404() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      HttpResponse<String> page = get(server, "/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.body()).contains("<title>bpfmap</title>", "<a href=\"metrics\">", "<a href=\"health\">");
      HttpResponse<String> missing = get(server, "/nope");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).isEqualTo("not found: /nope (try /metrics or /health)\n");
    }
  }

  @Test
  void buildInfoAndJvmAndProcessMetersAreScraped() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ProcessMeters meters = new ProcessMeters("1.2.3");
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry)) {
      meters.bindTo(registry);
      String body = get(server, "/metrics").body();
      assertThat(body).contains("bpfmap_build_info{java_version=\"" + Runtime.version() + "\",version=\"1.2.3\"} 1\n",
          "jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ", "jvm_classes_loaded_classes ",
          "process_cpu_usage ", "process_uptime_seconds ", "process_files_open_files ", "system_cpu_count ");
    }
  }
}
