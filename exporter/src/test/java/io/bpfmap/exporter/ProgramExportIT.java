package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon loads and attaches bpfmap's quickstart program itself and exports what the kernel
 * writes: exec events of processes this test starts (their pids, in order) from the ring, and
 * this test's own system calls from the map, into Kafka and /metrics.
 */
@KernelTest
class ProgramExportIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path OBJECT = Path.of("src/main/resources/bpf/quickstart.bpf.o").toAbsolutePath();

  @Test
  void aLoadedProgramsMapAndRingReachKafkaAndMetrics(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // a command of our own, so that its execs are told apart from the machine's
    Path marker = tmp.resolve("bpfmap-marker");
    Files.copy(Path.of("/bin/true"), marker);
    Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: n1
          programs:
            - object: %s
          maps:
            - name: syscalls
              kernel-name: quickstart/syscalls
              mode: changes
              interval: 300ms
              metrics:
                - {field: syscalls, type: counter}
          rings:
            - name: execs
              value: struct exec_event
              lost-counter: execs_lost
              mask: {"*": R, uid: X}
              labels: {comm: cstring}
          sinks:
            kafka: {bootstrap-servers: "%s"}
            prometheus: {listen: "127.0.0.1:%d"}
            stdout: true
          """.formatted(OBJECT, kafka.bootstrapServers(), port));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.startLogged(log, "export", "--config", cfg.toString());
      List<Long> pids = new ArrayList<>();
      try {
        Await.until(() -> Cli.get(port, "/metrics").contains("bpfmap_events_lost_total{map=\"execs\"}"));
        for (int i = 0; i < 20; i++) {
          Process p = new ProcessBuilder(marker.toString()).start();
          pids.add(p.pid());
          assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        String series = "bpfmap_execs_events_total{comm=\"bpfmap-marker\",map=\"execs\"} 20.0";
        Await.until(() -> Cli.get(port, "/metrics").contains(series));
        List<JsonNode> execs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.execs", 20)) {
          JsonNode v = JSON.readTree(r.value()).get("value");
          assertThat(v.get("uid").isNull()).as("masked").isTrue();
          if (v.get("filename").asText().equals(marker.toString())) {
            execs.add(v);
          }
        }
        assertThat(execs).extracting(v -> v.get("pid").asLong()).as("the kernel's pids, in exec order")
            .containsExactlyElementsOf(pids);
        assertThat(execs).allSatisfy(v -> assertThat(v.get("comm").asText()).isEqualTo("bpfmap-marker"));
        long self = ProcessHandle.current().pid();
        Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.syscalls", 1).stream()
            .anyMatch(r -> keyPid(r) == self));
        assertThat(Cli.get(port, "/metrics")).contains("bpfmap_syscalls_syscalls_total{comm=", "pid=\"" + self + "\"");
        assertThat(Cli.get(port, "/health")).as("rings are on /health too").contains("\"execs\":{", "\"syscalls\":{")
            .endsWith("\"status\":\"UP\"}");
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log);
      assertThat(daemon.exitValue()).as(err).isZero();
      assertThat(err.lines().filter(l -> l.startsWith("{\"map\":\"execs\"") && l.contains("\"kind\":\"EVENT\"")
          && l.contains("\"filename\":\"" + marker + "\"") && l.contains("\"uid\":null")))
          .as("stdout: every exec of the marker as a JSON line, uid masked").hasSize(20);
      assertThat(err).contains("program 'quickstart' loaded from " + OBJECT + ": attached count_syscalls at "
          + "tracepoint/raw_syscalls/sys_enter, time_syscalls at tracepoint/raw_syscalls/sys_exit, on_exec at "
          + "tracepoint/sched/sched_process_exec", "exporting 1 map(s) "
          + "and 1 ring(s), metrics on port " + port);
    }
  }

  private static long keyPid(ConsumerRecord<byte[], byte[]> r) {
    try {
      return JSON.readTree(r.key()).get("key").get("pid").asLong();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
