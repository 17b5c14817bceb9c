package io.bpfmap.kafka;

import io.bpfmap.kafka.broker.testing.KafkaTest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.Await;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-key order through retriable failures: the broker goes away long enough for the producer to
 * give up on its records (delivery.timeout.ms 1.5 s, outages of 2.5 s), then comes back, in turns.
 * A writer raises every key's packets meanwhile. In the topic, no key's packets may ever go down
 * from one record to the next, and the last record of each key is the map's value. (Before, a
 * record the producer gave up on was resent after a backoff, behind newer records of its key.)
 */
@KafkaTest
class KafkaOrderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEYS = 200;

  @Test
  void noRecordOfAKeyLandsAfterANewerOneThroughBrokerOutages(@TempDir Path dir) throws Exception {
    String topic = "order-test";
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
            .all().get();
      }
      try (BpfMap map = Flows.create("t_order", 512);
          KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n").topic(topic)
              .producerProperty("delivery.timeout.ms", "1500").producerProperty("request.timeout.ms", "1000")
              .producerProperty("retry.backoff.ms", "50").maxInFlight(2_000).build()) {
        ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
        Flows.fill(map, KEYS, 0);
        MapStream stream = MapStream.builder(map).name("order").keyLayout(Flows.KEY).valueLayout(Flows.VALUE)
            .mask(Flows.MASK).mode(Mode.CHANGES).interval(Duration.ofMillis(20)).build();
        KafkaExport export = sink.export(stream);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        long[] round = new long[1];
        Thread writer = Thread.ofPlatform().start(() -> {
          try {
            while (writing.get()) {
              round[0]++;
              for (int i = 0; i < KEYS; i++) {
                parsed.update(Flows.key(i), Flows.value(round[0] * 1000 + i, i));
              }
              Thread.sleep(5);
            }
          } catch (Throwable t) {
            writerError.set(t);
          }
        });
        for (int turn = 0; turn < 4; turn++) {
          Thread.sleep(1_000);
          kafka.stop();
          Thread.sleep(2_500);
          kafka.start();
        }
        writing.set(false);
        writer.join();
        long cycles = stream.stats().cycles();
        Await.until(() -> stream.stats().cycles() > cycles + 10 && export.inFlight() == 0);
        assertThat(export.stop(Duration.ofSeconds(60))).isZero();
        stream.close();
        assertThat(writerError.get()).isNull();
        assertThat(export.failed()).as("the producer gave up on records (the failures were real)").isPositive();

        Map<Long, List<Long>> perKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Topics.entries(Topics.readAll(kafka.bootstrapServers(), topic, 1, Duration.ofSeconds(60)))) {
          JsonNode v = JSON.readTree(r.value());
          long saddr = v.get("key").get("saddr").asLong();
          perKey.computeIfAbsent(saddr - 0x0A000000L, k -> new ArrayList<>()).add(v.get("value").get("packets").asLong());
        }
        assertThat(perKey).hasSize(KEYS);
        for (Map.Entry<Long, List<Long>> e : perKey.entrySet()) {
          List<Long> seq = e.getValue();
          for (int i = 1; i < seq.size(); i++) {
            assertThat(seq.get(i)).as("key %d: record %d of %s went back", e.getKey(), i, seq)
                .isGreaterThanOrEqualTo(seq.get(i - 1));
          }
          long inMap = (Long) parsed.lookup(Flows.key(e.getKey().intValue())).orElseThrow().get("packets");
          assertThat(seq.getLast()).as("key %d: the topic's last record is the map's value", e.getKey()).isEqualTo(inMap);
        }
      }
    }
  }
}
