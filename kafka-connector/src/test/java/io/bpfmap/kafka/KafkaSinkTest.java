package io.bpfmap.kafka;

import io.bpfmap.kafka.broker.testing.KafkaTest;
import io.bpfmap.core.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The sink against a real broker: record format, compaction, nodes, masks, errors. */
@KafkaTest
class KafkaSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static KafkaSink sink(EmbeddedKafka kafka, String node) {
    return KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node(node).createTopics(true).build();
  }

  /**
   * A partition the controller has created but its leader has not yet opened refuses a write
   * (NOT_LEADER_OR_FOLLOWER); a producer with several requests in flight then has the next one
   * taken first, and the refused one is refused for good as out of order, its records lost
   * (KAFKA-15591, fixed in brokers from 4.5). So a topic bpfmap creates is ready when
   * {@code ensureTopic} returns: a write to each of its partitions, at once and without a retry,
   * is taken. Twenty topics of six partitions: before the wait, some write was refused.
   */
  @Test
  void aCreatedTopicTakesWritesOnEveryPartitionOnceEnsured(EmbeddedKafka kafka) throws Exception {
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("retries", "0");
    p.put("enable.idempotence", "false");
    p.put("linger.ms", "0");
    p.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    p.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
    List<String> refused = new java.util.ArrayList<>();
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).createTopics(true).partitions(6)
        .build();
        org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
            new org.apache.kafka.clients.producer.KafkaProducer<>(p)) {
      for (int t = 0; t < 20; t++) {
        String topic = "t-ready-" + t;
        sink.ensureTopic(topic, false);
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new java.util.ArrayList<>();
        for (int partition = 0; partition < 6; partition++) {
          sent.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, partition, null,
              new byte[] {1})));
        }
        for (int partition = 0; partition < 6; partition++) {
          try {
            sent.get(partition).get();
          } catch (java.util.concurrent.ExecutionException e) {
            refused.add(topic + "-" + partition + ": " + e.getCause().getClass().getSimpleName());
          }
        }
      }
    }
    assertThat(refused).isEmpty();
  }

  @Test
  void createdTopicsGetTheirPartitionsReplicationAndConfigsAndChangesTopicsStayCompacted(EmbeddedKafka kafka)
      throws Exception {
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).createTopics(true)
        .partitions(3).replicationFactor((short) 1).topicConfigs(Map.of("retention.ms", "3600000",
            "cleanup.policy", "delete")).build();
        org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
            "bootstrap.servers", kafka.bootstrapServers()))) {
      sink.ensureTopic("t-topics-plain", false);
      sink.ensureTopic("t-topics-changes", true);
      var described = admin.describeTopics(List.of("t-topics-plain", "t-topics-changes")).allTopicNames().get();
      assertThat(described.get("t-topics-plain").partitions()).hasSize(3);
      assertThat(described.get("t-topics-plain").partitions().getFirst().replicas()).hasSize(1);
      var plain = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "t-topics-plain");
      var changes = new org.apache.kafka.common.config.ConfigResource(
          org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "t-topics-changes");
      var configs = admin.describeConfigs(List.of(plain, changes)).all().get();
      assertThat(configs.get(plain).get("retention.ms").value()).isEqualTo("3600000");
      assertThat(configs.get(plain).get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(configs.get(changes).get("retention.ms").value()).isEqualTo("3600000");
      assertThat(configs.get(changes).get("cleanup.policy").value()).as("tombstones need compaction")
          .isEqualTo("compact");
    }
  }

  @Test
  void snapshotOfTenThousandEntriesArrivesCompleteAndDecodesBackToTheMap(EmbeddedKafka kafka) throws Exception {
    try (BpfMap map = Flows.create("t_snap", 20_000); KafkaSink sink = sink(kafka, "node-a")) {
      Flows.fill(map, 10_000, 0);
      MapStream stream = Flows.stream(map, "snap", Mode.SNAPSHOT, Schedulers.parallel());
      KafkaExport export = sink.export(stream);
      Await.until(() -> export.acknowledged() >= 10_000);
      assertThat(export.stop(TIMEOUT)).isZero();
      List<ConsumerRecord<byte[], byte[]>> records = Topics.entries(Topics.readAll(kafka.bootstrapServers(), "bpfmap.snap", 10_000, TIMEOUT));
      ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
      Map<String, JsonNode> byKey = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        JsonNode v = JSON.readTree(r.value());
        if (v.get("cycle").asLong() == 1) {
          byKey.put(JSON.readTree(r.key()).get("key").toString(), v);
        }
        assertThat(new String(r.headers().lastHeader("bpfmap.map").value(), StandardCharsets.UTF_8)).isEqualTo("snap");
        assertThat(new String(r.headers().lastHeader("bpfmap.node").value(), StandardCharsets.UTF_8)).isEqualTo("node-a");
        assertThat(new String(r.headers().lastHeader("bpfmap.layout").value(), StandardCharsets.UTF_8))
            .isEqualTo(Flows.KEY.fingerprint() + ":" + Flows.VALUE.fingerprint());
      }
      assertThat(byKey).hasSize(10_000);
      for (int i = 0; i < 10_000; i++) {
        JsonNode v = byKey.get(Flows.keyJson(i));
        assertThat(v).as("key %d", i).isNotNull();
        Map<String, Object> inKernel = parsed.lookup(Flows.key(i)).orElseThrow();
        assertThat(v.get("value").get("packets").asLong()).isEqualTo(inKernel.get("packets"));
        assertThat(v.get("value").get("bytes").asLong()).isEqualTo(inKernel.get("bytes"));
        assertThat(v.get("value").get("secret").isNull()).isTrue();
        assertThat(v.get("node").asText()).isEqualTo("node-a");
        assertThat(v.get("map").asText()).isEqualTo("snap");
        assertThat(v.get("timestamp").asLong()).isPositive();
      }
    }
  }

  @Test
  void changesIntoACompactedTopicReadBackAsATableEqualTheMap(EmbeddedKafka kafka) throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = Flows.create("t_chg", 2000); KafkaSink sink = sink(kafka, "node-a")) {
      Flows.fill(map, 1000, 0);
      ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
      MapStream stream = Flows.stream(map, "chg", Mode.CHANGES, vts);
      KafkaExport export = sink.export(stream);
      Await.until(() -> export.acknowledged() == 1000 && stream.stats().cycles() == 1);
      for (int i = 0; i < 1000; i += 10) {
        parsed.update(Flows.key(i), Flows.value(5, 5));
      }
      for (int i = 5; i < 1000; i += 50) {
        parsed.delete(Flows.key(i));
      }
      for (int i = 1000; i < 1100; i++) {
        parsed.update(Flows.key(i), Flows.value(i, i));
      }
      long before = stream.stats().cycles();
      while (stream.stats().cycles() == before) {
        vts.advanceTimeBy(Duration.ofSeconds(10));
        Thread.sleep(20);
      }
      Await.until(() -> export.inFlight() == 0 && export.acknowledged() == 1000 + 100 + 20 + 100);
      assertThat(export.stop(TIMEOUT)).isZero();
      Map<String, String> table = Topics.table(Topics.readAll(kafka.bootstrapServers(), "bpfmap.chg", 1220, TIMEOUT));
      Map<String, String> expected = new HashMap<>();
      for (var e : map.entries()) {
        Map<String, Object> k = Flows.KEY.unpack(e.key());
        Map<String, Object> v = Flows.VALUE.unpack(e.value());
        int i = (int) ((Long) k.get("saddr") - 0x0A000000L);
        expected.put("{\"node\":\"node-a\",\"map\":\"chg\",\"key\":" + Flows.keyJson(i) + "}",
            "{\"packets\":" + v.get("packets") + ",\"bytes\":" + v.get("bytes") + ",\"secret\":null}");
      }
      Map<String, String> actual = new HashMap<>();
      table.forEach((k, v) -> actual.put(k, value(v)));
      assertThat(actual).hasSize(1080).isEqualTo(expected);
    }
  }

  @Test
  void twoNodesWithIdenticalKeysInOneTopicNeverOverwriteEachOther(EmbeddedKafka kafka) throws Exception {
    try (BpfMap a = Flows.create("t_node_a", 200); BpfMap b = Flows.create("t_node_b", 200);
        KafkaSink sinkA = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("a")
            .topic("bpfmap.shared.{map}").createTopics(true).build();
        KafkaSink sinkB = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("b")
            .topic("bpfmap.shared.{map}").createTopics(true).build()) {
      Flows.fill(a, 100, 0);
      Flows.fill(b, 100, 1_000_000);
      KafkaExport ea = sinkA.export(Flows.stream(a, "flows", Mode.CHANGES, Schedulers.parallel()));
      KafkaExport eb = sinkB.export(Flows.stream(b, "flows", Mode.CHANGES, Schedulers.parallel()));
      Await.until(() -> ea.acknowledged() == 100 && eb.acknowledged() == 100);
      ea.stop(TIMEOUT);
      eb.stop(TIMEOUT);
      Map<String, String> table = Topics.table(Topics.readAll(kafka.bootstrapServers(), "bpfmap.shared.flows", 200, TIMEOUT));
      assertThat(table).hasSize(200);
      for (int i = 0; i < 100; i++) {
        String ka = "{\"node\":\"a\",\"map\":\"flows\",\"key\":" + Flows.keyJson(i) + "}";
        String kb = "{\"node\":\"b\",\"map\":\"flows\",\"key\":" + Flows.keyJson(i) + "}";
        assertThat(JSON.readTree(table.get(ka)).get("value").get("packets").asLong()).isEqualTo(i);
        assertThat(JSON.readTree(table.get(kb)).get("value").get("packets").asLong()).isEqualTo(i + 1_000_000);
      }
    }
  }

  @Test
  void hiddenFieldsAreAbsentFromEveryRecordsBytes(EmbeddedKafka kafka) {
    try (BpfMap map = Flows.create("t_hidden", 600); KafkaSink sink = sink(kafka, "node-a")) {
      Flows.fill(map, 500, 0);
      KafkaExport export = sink.export(Flows.stream(map, "hidden", Mode.SNAPSHOT, Schedulers.parallel()));
      Await.until(() -> export.acknowledged() >= 500);
      export.stop(TIMEOUT);
      List<ConsumerRecord<byte[], byte[]>> records = Topics.entries(Topics.readAll(kafka.bootstrapServers(), "bpfmap.hidden", 500, TIMEOUT));
      assertThat(records).hasSizeGreaterThanOrEqualTo(500);
      String le = HexFormat.of().formatHex(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Flows.SECRET).array());
      String be = HexFormat.of().formatHex(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(Flows.SECRET).array());
      for (ConsumerRecord<byte[], byte[]> r : records) {
        for (byte[] part : new byte[][] {r.key(), r.value()}) {
          String text = new String(part, StandardCharsets.ISO_8859_1);
          String hex = HexFormat.of().formatHex(part);
          Flows.markers().forEach(m -> assertThat(text).doesNotContain(m));
          assertThat(hex).doesNotContain(le).doesNotContain(be);
        }
      }
    }
  }

  @Test
  void aRecordKafkaRefusesForGoodEndsTheExportNamingMapAndTopic(EmbeddedKafka kafka) {
    try (BpfMap map = Flows.create("t_big", 10);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n")
            .producerProperty("max.request.size", "64").createTopics(true).build()) {
      Flows.fill(map, 3, 0);
      KafkaExport export = sink.export(Flows.stream(map, "big", Mode.SNAPSHOT, Schedulers.parallel()));
      assertThatThrownBy(() -> export.done().block(TIMEOUT))
          .isInstanceOf(KafkaSinkException.class)
          .hasMessageStartingWith("sending map 'big' to topic 'bpfmap.big' failed: RecordTooLargeException: ");
    }
  }

  @Test
  void anUnreachableBrokerIsAClearErrorAfterTheTimeout() {
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers("127.0.0.1:1").node("n").build()) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> sink.checkReachable(Duration.ofSeconds(2)))
          .isInstanceOf(KafkaSinkException.class)
          .hasMessage("kafka at 127.0.0.1:1 is not reachable within 2s");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }
  }

  private static String value(String recordValue) {
    try {
      return JSON.readTree(recordValue).get("value").toString();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
