package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.bpfmap.core.testing.Writes;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon as an operator runs it for months, through the real launcher: a stop with the broker
 * away, a BPF program that re-creates its map, and what the heap holds after a while.
 */
@KernelTest
class LifecycleIT {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"I\"],[\"pad\",\"I\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"]]");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void broker() throws Exception {
    kafka = EmbeddedKafka.start(Files.createTempDirectory("bpfmap-lifecycle-it").resolve("data"));
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static BpfMap map(String name, int max) {
    return BpfMap.create(MapSpec.of(MapType.HASH, name, KEY.size(), VALUE.size(), max));
  }

  private static Map<String, Object> key(long i) {
    return Map.of("id", i, "pad", 0);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }


  /** Records per key id in {@code topic}. */
  private static Map<Long, Integer> perKey(String topic) throws Exception {
    Map<Long, Integer> counts = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : KafkaTopics.readEntries(kafka.bootstrapServers(), topic, 0)) {
      counts.merge(JSON.readTree(r.key()).get("key").get("id").asLong(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Entries are drained into Kafka, the broker goes away, and the daemon gets SIGTERM. Every entry
   * written is then in Kafka once, or back in the map: none lost. (The old daemon closed the map
   * before the producer failed its records, and lost 3 283–4 103 of 10 000 here.)
   */
  @Test
  void sigtermWithTheBrokerAwayLosesNoDrainedEntry(PinDir dir, @TempDir Path tmp) throws Exception {
    int total = 10_000;
    Path pin = dir.resolve("drained");
    try (BpfMap map = map("drained", 16_384)) {
      map.pin(pin);
      ParsedMap parsed = map.parsed(KEY, VALUE);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: n1
          stop-timeout: 4s
          maps:
            - {name: drained, pin: %s, key: [[id, I], [pad, I]], value: [[packets, Q]], mode: drain, interval: 50ms,
               batch-size: 256}
          sinks:
            kafka: {bootstrap-servers: "%s", max-in-flight: 2000, topic: "lifecycle.{map}"}
          """.formatted(pin, kafka.bootstrapServers()));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      Thread writer = Thread.ofPlatform().start(() -> {
        try {
          for (long i = 0; i < total; i++) {
            Writes.whenRoom(parsed, key(i), Map.of("packets", i));
            LockSupport.parkNanos(400_000);
          }
        } catch (Throwable t) {
          writerError.set(t);
        }
      });
      try {
        Await.until(() -> topicSize("lifecycle.drained") > 1500);
        kafka.stop();
        Thread.sleep(1500);
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log);
      assertThat(daemon.exitValue()).as(err).isZero();
      assertThat(err).containsPattern("stopped in \\d+ ms: \\d+ records acknowledged, [1-9]\\d* drained entries given "
          + "back to their maps");
      assertThat(err).as("Kafka's client says the broker is away").containsPattern("WARN  NetworkClient - .*"
          + "could not be established");
      writer.join();
      kafka.start();
      assertThat(writerError.get()).isNull();
      Map<Long, Integer> inKafka = perKey("lifecycle.drained");
      assertThat(inKafka.values()).as("each entry in Kafka once").containsOnly(1);
      int left = 0;
      int both = 0;
      for (long i = 0; i < total; i++) {
        boolean inMap = parsed.lookup(key(i)).isPresent();
        left += inMap ? 1 : 0;
        both += inMap && inKafka.containsKey(i) ? 1 : 0;
      }
      String stopped = err.lines().filter(l -> l.contains("stopped in")).findFirst().orElse("");
      System.out.println("LifecycleIT: " + total + " written, " + inKafka.size() + " in Kafka, " + left
          + " back in the map, " + both + " in both; " + stopped);
      assertThat(inKafka.size() + left - both).as("in Kafka (%d) or back in the map (%d): none lost; the daemon said: %s",
          inKafka.size(), left, err).isEqualTo(total);
      // A record the broker appended as it went away, whose answer never came, is given back too:
      // delivery is at least once. Such an entry is among those the daemon says it gave back.
      long givenBack = Long.parseLong(stopped.replaceFirst(".* ([0-9]+) drained entries given back.*", "$1"));
      assertThat(both).as("entries in Kafka and back in the map, against the %d given back", givenBack)
          .isLessThanOrEqualTo((int) givenBack);
    }
  }

  /** Records in partition 0 of {@code topic} so far (0 before it exists). */
  private static long topicSize(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      if (c.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty()) {
        return 0;
      }
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp), Duration.ofSeconds(5)).get(tp);
    } catch (RuntimeException notYet) {
      return 0;
    }
  }

  /**
   * A BPF program restarts and pins a new map at the same path: the daemon switches to it (it used
   * to keep exporting the old, unpinned map without a word), logs the switch, and /health says so.
   */
  @Test
  void aMapReplacedAtItsPinIsFollowedAndTheSwitchLogged(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("flows");
    int port = freePort();
    try (BpfMap first = map("flows", 64); BpfMap second = map("flows", 64)) {
      for (long i = 0; i < 3; i++) {
        first.parsed(KEY, VALUE).update(key(i), Map.of("packets", 1000 + i));
        second.parsed(KEY, VALUE).update(key(i), Map.of("packets", 5000 + i));
      }
      first.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: flows, pin: %s, key: "=II", value: [[packets, Q]], interval: 200ms,
               metrics: [{field: packets, type: gauge}]}
          sinks:
            prometheus: {listen: "127.0.0.1:%d"}
          """.formatted(pin, port));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      try {
        Await.until(() -> Cli.get(port, "/metrics").contains("bpfmap_flows_packets{f0=\"0\",f1=\"0\"} 1000.0"));
        Files.delete(pin);
        second.pin(pin);
        Await.until(() -> Cli.get(port, "/metrics").contains("bpfmap_flows_packets{f0=\"0\",f1=\"0\"} 5000.0"));
        String metrics = Cli.get(port, "/metrics");
        assertThat(metrics).contains("bpfmap_flows_packets{f0=\"2\",f1=\"0\"} 5002.0").doesNotContain("} 1000.0");
        String health = Cli.get(port, "/health");
        assertThat(health).contains("\"flows\":{\"status\":\"UP\",\"state\":\"up\",\"selector\":\"" + pin
            + "\",\"mapId\":" + second.info().id());
        assertThat(JSON.readTree(health).get("maps").get("flows").get("restarts").asLong()).isPositive();
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log);
      assertThat(daemon.exitValue()).as(err).isZero();
      assertThat(err).containsAnyOf(
          "map 'flows': " + pin + " now finds map id " + second.info().id() + " (was " + first.info().id() + "): the map was re-created; reopening",
          "map 'flows' failed: open pin " + pin);
      assertThat(err).contains("map 'flows' is back (map id " + second.info().id() + ")");
    }
  }

  private static final Pattern HISTOGRAM = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)", Pattern.MULTILINE);

  /** Instances per class of the daemon (after a full GC), for the classes a leak of ours would grow. */
  private static Map<String, Long> histogram(long pid) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Map<String, Long> counts = new TreeMap<>();
    Matcher m = HISTOGRAM.matcher(out);
    while (m.find()) {
      String cls = m.group(2);
      if (cls.startsWith("reactor.") || cls.startsWith("io.bpfmap.") || cls.startsWith("java.util.concurrent.")) {
        counts.put(cls, Long.parseLong(m.group(1)));
      }
    }
    assertThat(counts).as(out).isNotEmpty();
    return counts;
  }

  /**
   * The daemon exports a changing map to Kafka and Prometheus for 30 s. No class of Reactor, of
   * bpfmap or of java.util.concurrent gains instances between the 10th and the 40th second (the
   * old supervisor added a subscriber, a CompletableFuture and an AtomicReference every second).
   */
  @Test
  void heapObjectsStayFlatOverALongRun(PinDir dir, @TempDir Path tmp) throws Exception {
    Path pin = dir.resolve("steady");
    int port = freePort();
    try (BpfMap map = map("steady", 2048)) {
      ParsedMap parsed = map.parsed(KEY, VALUE);
      for (long i = 0; i < 1000; i++) {
        parsed.update(key(i), Map.of("packets", i));
      }
      map.pin(pin);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: steady, pin: %s, key: "=II", value: [[packets, Q]], mode: changes, interval: 100ms,
               metrics: [{field: packets, type: counter}]}
          sinks:
            kafka: {bootstrap-servers: "%s", topic: "lifecycle.{map}"}
            prometheus: {listen: "127.0.0.1:%d"}
          """.formatted(pin, kafka.bootstrapServers(), port));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      Thread writer = Thread.ofPlatform().daemon().start(() -> {
        for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
          for (long i = 0; i < 10; i++) {
            parsed.update(key((n * 10 + i) % 1000), Map.of("packets", n));
          }
          LockSupport.parkNanos(100_000_000);
        }
      });
      try {
        Await.until(() -> Cli.get(port, "/metrics").contains("bpfmap_kafka_records_sent_total{map=\"steady\"}"));
        Thread.sleep(10_000);
        Map<String, Long> before = histogram(daemon.pid());
        Thread.sleep(30_000);
        Map<String, Long> after = histogram(daemon.pid());
        List<String> grown = new ArrayList<>();
        after.forEach((cls, n) -> {
          long was = before.getOrDefault(cls, 0L);
          if (n - was >= 15) {
            grown.add(cls + " " + was + " -> " + n);
          }
        });
        assertThat(grown).as("classes that gained 15 or more instances in 30 s").isEmpty();
        assertThat(Cli.get(port, "/metrics")).as(Files.readString(log)).contains("bpfmap_steady_packets_total{");
      } finally {
        writer.interrupt();
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(daemon.exitValue()).as(Files.readString(log)).isZero();
    }
  }
}
