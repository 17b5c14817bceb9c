package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfObject;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon exports histograms a program keeps, configured as ebpf_exporter's are: the test's
 * program fills them (test runs of known samples) and pins its maps; {@code bpfmap export} reads
 * the pins with their BTF, and {@code bpfmap check} says what is wrong with a histogram's fields.
 */
@KernelTest
class HistogramExportIT {
  private static void record(BpfObject obj, long micros, int op, int times) {
    ByteBuffer packet = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    packet.putLong(14, micros).putInt(22, op);  // past the socket filter's 14-byte Ethernet header
    obj.program("record").testRun(packet.array(), times);
  }

  /** /metrics through curl over TLS with the example's client certificate and password. */
  private static String scrape(Path tls, int port, String password) {
    try {
      return WebConfigFileTest.run(tls, "curl", "-s", "--cacert", "server.pem", "--cert", "client.pem", "--key",
          "client.key", "-u", "prometheus:" + password, "https://localhost:" + port + "/metrics");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void histogramsOfTheConfigAreOnMetricsBehindTlsAndBasicAuth(PinDir pins, @TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"))) {
      obj.pinMaps(pins.path());
      record(obj, 3, 0, 10);
      record(obj, 100, 0, 30);
      record(obj, 100, 1, 5);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - name: latency_exp2
              pin: %1$s/latency_exp2
              interval: 200ms
              labels: {op: unsigned}
              histograms:
                - name: latency_seconds
                  bucket-field: bucket
                  bucket-type: exp2
                  bucket-max: 26
                  bucket-multiplier: 1e-6
                  description: Latency of the test's samples
            - name: latency_slots
              pin: %1$s/latency_slots
              interval: 200ms
              histograms:
                - {name: latency_us, slots-field: slots, sum-field: sum, bucket-type: exp2, bucket-min: 1, bucket-max: 16}
          sinks:
            prometheus: {listen: "127.0.0.1:%2$d", web-config: %3$s}
          """.formatted(pins.path(), port, WebConfigFileTest.example(tmp)));
      Path tls = tmp.resolve("tls");
      Cli.Result check = Cli.run("check", "--config", cfg.toString());
      assertThat(check.exit()).as(check.err()).isZero();
      Process daemon = Cli.startLogged(tmp.resolve("daemon.log"), "export", "--config", cfg.toString());
      try {
        Await.until(() -> scrape(tls, port, "change me").contains("bpfmap_latency_exp2_latency_seconds_count{op=\"0\"} 40"));
        String text = scrape(tls, port, "change me");
        assertThat(scrape(tls, port, "guess")).as("a wrong password").startsWith("0:").doesNotContain("bpfmap_");
        assertThat(text).contains("# HELP bpfmap_latency_exp2_latency_seconds Latency of the test's samples",
            "bpfmap_latency_exp2_latency_seconds_bucket{op=\"0\",le=\"4.0E-6\"} 10",
            "bpfmap_latency_exp2_latency_seconds_bucket{op=\"0\",le=\"1.28E-4\"} 40",
            "bpfmap_latency_exp2_latency_seconds_count{op=\"1\"} 5",
            "bpfmap_latency_exp2_latency_seconds_sum{op=\"1\"} 5.0E-4",
            "bpfmap_latency_slots_latency_us_bucket{key=\"OP_READ\",le=\"4.0\"} 10",
            "bpfmap_latency_slots_latency_us_sum{key=\"OP_READ\"} 3030.0");
        // the program goes on counting: the next cycles show it
        record(obj, 100, 1, 5);
        Await.until(() -> scrape(tls, port, "change me").contains("bpfmap_latency_exp2_latency_seconds_count{op=\"1\"} 10"));
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).as(Files.readString(tmp.resolve("daemon.log"))).isZero();
    }
  }

  @Test
  void aHistogramThatDoesNotFitItsMapIsNamedByItsYamlPath(PinDir pins, @TempDir Path tmp) throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"))) {
      obj.pinMaps(pins.path());
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - name: latency
              pin: %s/latency_exp2
              histograms:
                - {name: latency_seconds, bucket-field: bukket, bucket-max: 26}
          sinks:
            prometheus: {listen: "127.0.0.1:0"}
          """.formatted(pins.path()));
      Cli.Result check = Cli.run("check", "--config", cfg.toString());
      assertThat(check.exit()).isEqualTo(2);
      assertThat(check.err()).startsWith("bpfmap: maps[0].histograms[0]: bucket field 'bukket' is not a key field "
          + "(the key has op, bucket)").doesNotContain("\tat ");
      Cli.Result export = Cli.run("export", "--config", cfg.toString());
      assertThat(export.exit()).isEqualTo(2);
      assertThat(export.err()).contains("maps[0].histograms[0]: bucket field 'bukket' is not a key field "
          + "(the key has op, bucket)").doesNotContain("\tat ");
    }
  }
}
