package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon through the real launcher, against a real broker: records, /metrics, SIGTERM. */
@KernelTest
class ExportIT {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  private static final long SECRET = 4_242_424_242_424_242L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafka kafka;
  private static Path kafkaDir;

  @BeforeAll
  static void broker() throws Exception {
    kafkaDir = Files.createTempDirectory("bpfmap-export-it");
    kafka = EmbeddedKafka.start(kafkaDir.resolve("data"));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static BpfMap flows(int n) {
    BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "flows", KEY.size(), VALUE.size(), 4096));
    ParsedMap p = map.parsed(KEY, VALUE);
    for (int i = 0; i < n; i++) {
      p.update(Map.of("saddr", ipv4(10, 0, 0, i), "daddr", ipv4(192, 168, 0, 1), "sport", 1000 + i, "dport", 443),
          Map.of("packets", (long) i, "bytes", i * 100L, "secret", SECRET));
    }
    return map;
  }

  private static long ipv4(int a, int b, int c, int d) {
    return java.nio.ByteBuffer.wrap(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d})
        .order(java.nio.ByteOrder.nativeOrder()).getInt() & 0xFFFF_FFFFL;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> topic(String topic, int min) {
    return KafkaTopics.readEntries(kafka.bootstrapServers(), topic, min);
  }

  @Test
  void exportSendsSpecRecordsServesMetricsAndStopsCleanlyOnSigterm(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("flows");
    int port = freePort();
    try (BpfMap map = flows(20)) {
      map.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"),
          ConfigTest.SPEC_EXAMPLE.replace("/sys/fs/bpf/flows", pin.toString())
              .replace("127.0.0.1:9092", kafka.bootstrapServers()).replace("127.0.0.1:9469", "127.0.0.1:" + port)
              .replace("topic: bpfmap.{map}", "topic: export-it.{map}"));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      try {
        List<ConsumerRecord<byte[], byte[]>> records = topic("export-it.flows", 20);
        if (records.size() != 20) {
          daemon.destroy();
          daemon.waitFor(30, TimeUnit.SECONDS);
          throw new AssertionError(records.size() + " records; the daemon said: " + Files.readString(log));
        }
        JsonNode key = JSON.readTree(records.getFirst().key());
        JsonNode value = JSON.readTree(records.getFirst().value());
        assertThat(key.get("node").asText()).isEqualTo("web-1");
        assertThat(key.get("map").asText()).isEqualTo("flows");
        assertThat(key.get("key").get("saddr").isNumber()).isTrue();
        assertThat(value.fieldNames()).toIterable().containsExactly("node", "map", "cycle", "timestamp", "key", "value", "op", "source");
        assertThat(value.get("value").get("secret").isNull()).isTrue();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(Long.toString(SECRET));
        }
        String metrics = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!metrics.contains("bpfmap_flows_packets_total{") && System.nanoTime() < deadline) {
          Thread.sleep(200);
          metrics = Cli.get(port, "/metrics");
        }
        assertThat(metrics).contains("bpfmap_flows_packets_total{daddr=\"192.168.0.1\",dport=\"443\",saddr=\"10.0.0.3\",sport=\"1003\"} 3.0");
        assertThat(metrics).as("the daemon's build and JVM").contains("bpfmap_build_info{java_version=\""
            + Runtime.version() + "\",version=\"" + System.getProperty("bpfmap.version") + "\"} 1\n", "jvm_memory_used_bytes{");
        assertThat(Cli.get(port, "/")).contains("<a href=\"metrics\">");
        assertThat(metrics.lines().filter(l -> l.startsWith("bpfmap_flows_bytes_total{"))).hasSize(20);
        // records: the 20 entries and the first cycle's begin and end markers
        assertThat(metrics).contains("bpfmap_kafka_records_sent_total{map=\"flows\"} 22.0").doesNotContain(Long.toString(SECRET));
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log);
      assertThat(daemon.exitValue()).as(err).isZero();
      assertThat(err).contains("INFO  ExportCommand - exporting 1 map(s), metrics on port " + port,
          "INFO  ExportCommand - stopping: flushing Kafka", "INFO  ExportCommand - stopped");
    }
  }

  @Test
  void everyLogLineHasTheChosenFormat(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("logs");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "logs", 8, 8, 16))) {
      map.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: logs, pin: %s, key: "=Q", value: "=Q"}
          sinks: {stdout: true}
          status-interval: 500ms
          """.formatted(pin));
      Map<String, java.util.function.Predicate<String>> formats = Map.of(
          "text", l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO |WARN |ERROR|DEBUG) \\S+ - .*"),
          "logfmt", l -> l.matches("time=\\S+ level=(info|warn|error|debug) logger=\\S+ msg=.*"),
          "json", l -> {
            try {
              JsonNode j = JSON.readTree(l);
              return j.has("time") && j.has("level") && j.has("logger") && j.has("msg");
            } catch (java.io.IOException notJson) {
              return false;
            }
          });
      for (var f : formats.entrySet()) {
        Path log = tmp.resolve(f.getKey() + ".log");
        Process daemon = Cli.start(log, "export", "--config", cfg.toString(), "--log-format", f.getKey());
        try {
          Await.until(() -> read(log).contains("entries_per_s"));
        } finally {
          daemon.destroy();
        }
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = read(log).lines().toList();
        assertThat(lines).as(f.getKey()).isNotEmpty().allMatch(f.getValue());
        assertThat(lines).as(f.getKey()).anyMatch(l -> l.contains("map") && l.contains("logs")
            && l.contains("entries_read_total") && l.contains("state"));
        assertThat(lines.getLast()).as(f.getKey()).contains("stopped");
      }
      var bad = Cli.run("export", "--config", tmp.resolve("missing.yaml").toString(), "--log-format", "json");
      assertThat(bad.exit()).isEqualTo(2);
      JsonNode error = JSON.readTree(bad.err());
      assertThat(error.get("level").asText()).isEqualTo("error");
      assertThat(error.get("msg").asText()).isEqualTo(tmp.resolve("missing.yaml") + ": no such file");
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException notYet) {
      return "";
    }
  }

  @Test
  void stdoutPrintsOneJsonLinePerEventWithHiddenFieldsNull(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("flows");
    try (BpfMap map = flows(5)) {
      map.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - name: flows
              pin: %s
              key:   [[saddr, I], [daddr, I], [sport, H], [dport, H]]
              value: [[packets, Q], [bytes, Q], [secret, Q]]
              mask:  {packets: R, bytes: R}
              interval: 1h
          sinks:
            stdout: true
          """.formatted(pin));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.startReading(log, "export", "--config", cfg.toString());
      List<JsonNode> lines = new ArrayList<>();
      try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(daemon.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while (lines.size() < 5 && (line = out.readLine()) != null) {
          assertThat(line).doesNotContain(Long.toString(SECRET));
          lines.add(JSON.readTree(line));
        }
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(lines).as(Files.readString(log)).hasSize(5);
      for (JsonNode e : lines) {
        assertThat(e.fieldNames()).toIterable().containsExactly("map", "cycle", "kind", "key", "value");
        assertThat(e.get("map").asText()).isEqualTo("flows");
        assertThat(e.get("cycle").asLong()).isEqualTo(1);
        assertThat(e.get("kind").asText()).isEqualTo("UPSERT");
        assertThat(e.get("value").get("secret").isNull()).isTrue();
        long sport = e.get("key").get("sport").asLong();
        assertThat(e.get("value").get("packets").asLong()).isEqualTo(sport - 1000);
        assertThat(e.get("value").get("bytes").asLong()).isEqualTo((sport - 1000) * 100);
      }
      assertThat(lines.stream().map(e -> e.get("key").get("sport").asLong())).containsExactlyInAnyOrder(
          1000L, 1001L, 1002L, 1003L, 1004L);
    }
  }

  @Test
  void aMapWhosePinIsMissingIsRetriedWhileTheOthersRun(PinDir dir, @TempDir Path tmp) throws Exception {
    Path present = dir.resolve("present");
    Path later = dir.resolve("later");
    int port = freePort();
    try (BpfMap map = flows(3)) {
      map.pin(present);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: present, pin: %s, key: "=IIHH", value: "=QQQ", metrics: [{field: f0, type: counter}]}
            - {name: later, pin: %s, key: "=IIHH", value: "=QQQ", metrics: [{field: f0, type: counter}]}
          sinks:
            prometheus: {listen: "127.0.0.1:%d"}
          """.formatted(present, later, port));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      try {
        String metrics = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!metrics.contains("bpfmap_present_f0_total{") && System.nanoTime() < deadline) {
          Thread.sleep(200);
          metrics = Cli.get(port, "/metrics");
        }
        assertThat(metrics).as(Files.readString(log)).contains("bpfmap_present_f0_total{").doesNotContain("bpfmap_later_f0_total{");
        String health = Cli.get(port, "/health");
        assertThat(health).contains("\"later\":{\"status\":\"DOWN\"", "nothing is pinned there", "\"present\":{\"status\":\"UP\"");
        try (BpfMap second = flows(2)) {
          second.pin(later);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!metrics.contains("bpfmap_later_f0_total{") && System.nanoTime() < deadline) {
          Thread.sleep(200);
          metrics = Cli.get(port, "/metrics");
        }
        assertThat(metrics).as(Files.readString(log)).contains("bpfmap_later_f0_total{", "bpfmap_present_f0_total{");
        assertThat(Files.readString(log)).contains("map 'later': open pin " + later, "map 'later' is back");
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).isZero();
    }
  }

  @Test
  void sigtermFlushesEverythingDrainedToKafka(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("drained");
    int total = 3000;
    try (BpfMap map = flows(total)) {
      map.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: n1
          maps:
            - name: drained
              pin: %s
              key: [[saddr, I], [daddr, I], [sport, H], [dport, H]]
              value: [[packets, Q], [bytes, Q], [secret, Q]]
              mode: drain
              interval: 50ms
              batch-size: 64
          sinks:
            kafka: {bootstrap-servers: "%s", max-in-flight: 200}
          """.formatted(pin, kafka.bootstrapServers()));
      Process daemon = Cli.start(tmp.resolve("daemon.log"), "export", "--config", cfg.toString());
      topic("bpfmap.drained", 200);
      daemon.destroy();
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).isZero();
      int inKafka = topic("bpfmap.drained", 0).size();
      int left = map.entries().size();
      assertThat(inKafka).isPositive();
      assertThat(inKafka + left).as("in Kafka or still in the map").isEqualTo(total);
    }
  }
}
