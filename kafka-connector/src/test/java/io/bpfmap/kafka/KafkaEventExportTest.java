package io.bpfmap.kafka;

import io.bpfmap.kafka.broker.testing.KafkaTest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A real program's ring buffer into Kafka: every record a test run writes becomes one record of
 * an append-only topic, in the order the kernel committed them, with the masked field null.
 */
@KafkaTest
class KafkaEventExportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int N = 5000;

  @Test
  void everyEventOfATestRunLandsOnceAndInOrder(EmbeddedKafka kafka) throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream stream = EventStream.builder(obj.map("events")).name("ring_events")
            .valueLayout(obj.layout("struct event")).mask(PermissionMask.parse("{\"*\": \"R\", \"secret\": \"X\"}"))
            .build();
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("node-e")
            .createTopics(true).build()) {
      KafkaExport export = sink.export(stream);
      obj.program("ring_emit").testRun(new byte[64], N);
      Await.until(() -> export.acknowledged() >= N);
      stream.close();
      export.settled().block(TIMEOUT);
      assertThat(export.acknowledged()).isEqualTo(N);
      List<ConsumerRecord<byte[], byte[]>> records = Topics.readAll(kafka.bootstrapServers(), "bpfmap.ring_events", N,
          TIMEOUT);
      assertThat(records).hasSize(N);
      for (int i = 0; i < N; i++) {
        ConsumerRecord<byte[], byte[]> r = records.get(i);
        JsonNode key = JSON.readTree(r.key());
        JsonNode value = JSON.readTree(r.value());
        assertThat(key.toString()).isEqualTo("{\"node\":\"node-e\",\"map\":\"ring_events\"}");
        assertThat(value.get("value").get("seq").asLong()).isEqualTo(i);
        assertThat(value.get("cycle").asLong()).isEqualTo(i + 1);
        assertThat(value.get("value").get("secret").isNull()).isTrue();
        assertThat(value.has("key")).isFalse();
        assertThat(new String(r.headers().lastHeader("bpfmap.kind").value(), StandardCharsets.UTF_8)).isEqualTo("EVENT");
        assertThat(new String(r.headers().lastHeader("bpfmap.map").value(), StandardCharsets.UTF_8))
            .isEqualTo("ring_events");
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain("6088679"); // 0x5ec7e7
      }
    }
  }

  @Test
  void aRingNeedsTheProducerToRetryUntilAcknowledged(EmbeddedKafka kafka) {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream stream = EventStream.builder(obj.map("events")).valueLayout(obj.layout("struct event")).build();
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers())
            .producerProperty("delivery.timeout.ms", "120000").build()) {
      assertThatThrownBy(() -> sink.export(stream)).isInstanceOf(KafkaSinkException.class)
          .hasMessage("ring 'events' is read once: each record taken from the kernel is retried until Kafka "
              + "acknowledges it, so the producer's delivery.timeout.ms must be left to bpfmap (it is 120000)");
    }
  }
}
