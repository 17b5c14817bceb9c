package io.bpfmap.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.testing.BpfExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server (Debian's package) scraping one target every second, with its own TSDB
 * in a test's directory; stopped by {@link #close()}.
 */
final class PrometheusProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final int port;
  private final Path log;

  private PrometheusProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Fails in CI (skips elsewhere) when {@code tool} is not installed. */
  static void requireTool(String tool) throws Exception {
    boolean present = new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
    if (!present && BpfExtension.required()) {
      throw new AssertionError(tool + " is not installed (apt-get install prometheus); CI needs it");
    }
    Assumptions.assumeTrue(present, tool + " is not installed (apt-get install prometheus)");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts Prometheus scraping {@code target} ({@code host:port}) as job {@code bpfmap};
   * {@code scrapeOptions} are more keys of the scrape config (e.g. {@code scheme: https}).
   */
  static PrometheusProcess start(Path dir, String target, String scrapeOptions) throws Exception {
    return startJobs(dir, job("bpfmap", target, scrapeOptions));
  }

  /** One entry of {@code scrape_configs}. */
  static String job(String name, String target, String scrapeOptions) {
    return """
        - job_name: %s
          static_configs:
            - targets: ['%s']
        %s""".formatted(name, target, scrapeOptions.indent(2));
  }

  /** Starts Prometheus with these {@link #job}s, scraping each every second. */
  static PrometheusProcess startJobs(Path dir, String... jobs) throws Exception {
    return startJobs(dir, List.of(), jobs);
  }

  /** Starts Prometheus with these command-line {@code flags} and {@link #job}s. */
  static PrometheusProcess startJobs(Path dir, List<String> flags, String... jobs) throws Exception {
    requireTool("prometheus");
    int port = freePort();
    Path config = Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
        scrape_configs:
        %s""".formatted(String.join("", jobs).indent(2)));
    Path log = dir.resolve("prometheus.log");
    List<String> cmd = new java.util.ArrayList<>(List.of("prometheus", "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port));
    cmd.addAll(flags);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new PrometheusProcess(p, port, log);
  }

  /** The {@code data.result} array of an instant query, once Prometheus answers. */
  JsonNode query(String promql) throws Exception {
    var r = FlowMap.get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8), null);
    return JSON.readTree(r.body()).path("data").path("result");
  }

  /** Queries every half second until {@code done} holds for the result or 60 s pass; returns the last result. */
  JsonNode await(String promql, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      Thread.sleep(500);
      try {
        last = query(promql);
        if (done.test(last)) {
          return last;
        }
      } catch (IOException notUpYet) {
        // Prometheus is still starting
      }
    }
    throw new AssertionError(promql + " gave " + last + " after 60 s; log: " + log());
  }

  /** {@return the state of job {@code job}'s target: its health and last error} */
  JsonNode target(String job) throws Exception {
    var r = FlowMap.get(port, "/api/v1/targets", null);
    for (JsonNode t : JSON.readTree(r.body()).path("data").path("activeTargets")) {
      if (t.path("labels").path("job").asText().equals(job)) {
        return t;
      }
    }
    return null;
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
