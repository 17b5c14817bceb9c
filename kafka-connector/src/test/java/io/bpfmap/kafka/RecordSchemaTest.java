package io.bpfmap.kafka;

import io.bpfmap.kafka.broker.testing.KafkaTest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Every kind of record the sink writes (entries of each op, deletes and their tombstones, cycle
 * markers, a ring's events, heartbeats), read back from a real broker and validated against the
 * JSON Schema bpfmap publishes ({@code io/bpfmap/kafka/records.schema.json}); and records the
 * schema must refuse, so that it cannot accept anything.
 */
@KafkaTest
class RecordSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static Schema schema(String kind) throws Exception {
    try (InputStream in = KafkaSink.class.getResourceAsStream("records.schema.json")) {
      ObjectNode doc = (ObjectNode) JSON.readTree(in);
      doc.put("$ref", "#/$defs/" + kind);
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(doc.toString());
    }
  }

  private static List<String> errors(String kind, JsonNode record) throws Exception {
    return schema(kind).validate(record).stream().map(Object::toString).toList();
  }

  private static void valid(String kind, byte[] json) throws Exception {
    JsonNode node = JSON.readTree(json);
    assertThat(errors(kind, node)).as(kind + " " + node).isEmpty();
  }

  @Test
  void everyRecordKindIsValidAgainstThePublishedSchema(EmbeddedKafka kafka) throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = Flows.create("t_schema", 64); KafkaSink sink = KafkaSink.builder()
        .bootstrapServers(kafka.bootstrapServers()).node("n1").createTopics(true).build()) {
      Flows.fill(map, 5, 0);
      MapStream changes = Flows.stream(map, "schema", Mode.CHANGES, vts);
      KafkaExport export = sink.export(changes);
      Await.until(() -> export.acknowledged() >= 5);
      ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
      parsed.update(Flows.key(1), Flows.value(99, 99));
      parsed.delete(Flows.key(2));
      parsed.update(Flows.key(40), Flows.value(1, 1));
      long before = changes.stats().cycles();
      while (changes.stats().cycles() == before) {
        vts.advanceTimeBy(Duration.ofSeconds(10));
        Thread.sleep(20);
      }
      Await.until(() -> export.acknowledged() >= 5 + 3);  // a delete counts once: its tombstone
      export.stop(TIMEOUT);
      MapStream snapshot = Flows.stream(map, "schema_snap", Mode.SNAPSHOT, Schedulers.parallel());
      KafkaExport snap = sink.export(snapshot);
      Await.until(() -> snap.acknowledged() >= 5);
      snap.stop(TIMEOUT);
      snapshot.close();
      sink.heartbeat("bpfmap.heartbeats", Duration.ofSeconds(10), Map.of("schema", 2L));

      Map<String, Integer> kinds = new TreeMap<>();
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(Topics.readAll(kafka.bootstrapServers(),
          "bpfmap.schema", 5 + 4 + 4, TIMEOUT));
      records.addAll(Topics.readAll(kafka.bootstrapServers(), "bpfmap.schema_snap", 7, TIMEOUT));
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (Topics.marker(r)) {
          valid("markerKey", r.key());
          valid("markerValue", r.value());
          kinds.merge("m", 1, Integer::sum);
        } else if (r.value() == null) {
          valid("mapKey", r.key());
          kinds.merge("tombstone", 1, Integer::sum);
        } else {
          valid("mapKey", r.key());
          valid("mapValue", r.value());
          kinds.merge(JSON.readTree(r.value()).get("op").asText(), 1, Integer::sum);
        }
      }
      // CHANGES: 5 created, then 1 changed, 1 new, 1 deleted (d and tombstone); SNAPSHOT: 5 read;
      // a begin and an end marker around each cycle that sent
      assertThat(kinds).isEqualTo(Map.of("c", 6, "u", 1, "d", 1, "tombstone", 1, "r", 5, "m", 6));
      List<ConsumerRecord<byte[], byte[]>> beats = Topics.readAll(kafka.bootstrapServers(), "bpfmap.heartbeats", 1, TIMEOUT);
      valid("heartbeatKey", beats.getFirst().key());
      valid("heartbeatValue", beats.getFirst().value());
      JsonNode source = JSON.readTree(Topics.entries(records).getFirst().value()).get("source");
      assertThat(source.get("map_id").asInt()).isEqualTo(map.info().id());
      assertThat(source.get("mode").asText()).isEqualTo("changes");
    }
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream ring = EventStream.builder(obj.map("events")).name("schema_ring")
            .valueLayout(obj.layout("struct event")).build();
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n1").createTopics(true)
            .build()) {
      KafkaExport export = sink.export(ring);
      obj.program("ring_emit").testRun(new byte[64], 3);
      Await.until(() -> export.acknowledged() >= 3);
      for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(kafka.bootstrapServers(), "bpfmap.schema_ring", 3, TIMEOUT)) {
        valid("eventKey", r.key());
        valid("eventValue", r.value());
      }
    }
  }

  @Test
  void withoutTombstonesAndMarkersADeleteIsItsDRecordAlone(EmbeddedKafka kafka) throws Exception {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = Flows.create("t_notomb", 16); KafkaSink sink = KafkaSink.builder()
        .bootstrapServers(kafka.bootstrapServers()).node("n1").createTopics(true).tombstones(false).cycleMarkers(false)
        .build()) {
      Flows.fill(map, 3, 0);
      MapStream changes = Flows.stream(map, "notomb", Mode.CHANGES, vts);
      KafkaExport export = sink.export(changes);
      Await.until(() -> export.acknowledged() >= 3);
      map.parsed(Flows.KEY, Flows.VALUE).delete(Flows.key(0));
      long before = changes.stats().cycles();
      while (changes.stats().cycles() == before) {
        vts.advanceTimeBy(Duration.ofSeconds(10));
        Thread.sleep(20);
      }
      Await.until(() -> export.acknowledged() >= 4);
      export.stop(TIMEOUT);
      List<ConsumerRecord<byte[], byte[]>> records = Topics.readAll(kafka.bootstrapServers(), "bpfmap.notomb", 4, TIMEOUT);
      assertThat(records).hasSize(4).noneMatch(Topics::marker).allMatch(r -> r.value() != null);
      JsonNode last = JSON.readTree(records.getLast().value());
      assertThat(last.get("op").asText()).isEqualTo("d");
      assertThat(last.get("value").isNull()).isTrue();
      valid("mapValue", records.getLast().value());
    }
  }

  @Test
  void theSchemaRefusesRecordsThatBreakIt() throws Exception {
    String entry = "{\"node\":\"n\",\"map\":\"m\",\"cycle\":1,\"timestamp\":1,\"key\":{\"a\":1},\"value\":{\"b\":2},"
        + "\"op\":\"c\",\"source\":{\"node\":\"n\",\"map\":\"m\",\"map_id\":3,\"target\":\"/sys/fs/bpf/m\","
        + "\"key_layout\":\"k\",\"value_layout\":\"v\",\"mode\":\"changes\",\"cycle\":1}}";
    assertThat(errors("mapValue", JSON.readTree(entry))).isEmpty();
    assertThat(errors("mapValue", JSON.readTree(entry.replace("\"op\":\"c\"", "\"op\":\"x\"")))).isNotEmpty();
    assertThat(errors("mapValue", JSON.readTree(entry.replace("\"op\":\"c\"", "\"op\":\"d\"")))).as("a d with a value")
        .isNotEmpty();
    assertThat(errors("mapValue", JSON.readTree(entry.replace(",\"cycle\":1,", ",")))).as("no cycle").isNotEmpty();
    assertThat(errors("mapValue", JSON.readTree(entry.replace("\"map_id\":3,", "")))).as("no map id").isNotEmpty();
    assertThat(errors("heartbeatValue", JSON.readTree("{\"node\":\"n\",\"timestamp\":1,\"maps\":{}}")))
        .as("no interval").isNotEmpty();
  }
}
