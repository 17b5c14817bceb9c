package io.bpfmap.kafka;

import io.bpfmap.kafka.broker.testing.KafkaTest;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.Writes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DRAIN to Kafka loses nothing: through a broker outage, and at a graceful stop. */
@KafkaTest
class KafkaDeliveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private static MapStream drain(BpfMap map, String name) {
    return MapStream.builder(map).name(name).keyLayout(Flows.KEY).valueLayout(Flows.VALUE).mask(Flows.MASK)
        .mode(Mode.DRAIN).interval(Duration.ofMillis(20)).build();
  }

  /** Records per map key index in the topic. */
  private static Map<Integer, Integer> countsPerKey(String bootstrap, String topic, int min) throws Exception {
    Map<Integer, Integer> counts = new HashMap<>();
    List<ConsumerRecord<byte[], byte[]>> records = Topics.entries(Topics.readAll(bootstrap, topic, min, TIMEOUT));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long saddr = JSON.readTree(r.key()).get("key").get("saddr").asLong();
      counts.merge((int) (saddr - 0x0A000000L), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void drainLosesNothingThroughATenSecondBrokerOutageAndStaysBounded(@TempDir Path dir) throws Exception {
    int total = 20_000;
    int maxInFlight = 1_000;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        BpfMap map = Flows.create("t_outage", 2048);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n")
            .maxInFlight(maxInFlight).createTopics(true).build()) {
      ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
      MapStream stream = drain(map, "outage");
      KafkaExport export = sink.export(stream);
      AtomicReference<Throwable> writerError = new AtomicReference<>();
      AtomicLong written = new AtomicLong();
      Thread writer = Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < total; i++) {
            Writes.whenRoom(parsed, Flows.key(i), Flows.value(i, i));
            written.incrementAndGet();
            if (i % 100 == 0) {
              Thread.sleep(10);
            }
          }
        } catch (Throwable t) {
          writerError.set(t);
        }
      });
      Await.until(() -> export.acknowledged() > 2_000);
      kafka.stop();
      long outageStart = System.nanoTime();
      long maxTakenNotAcked = 0;
      while (System.nanoTime() - outageStart < Duration.ofSeconds(12).toNanos()) {
        maxTakenNotAcked = Math.max(maxTakenNotAcked, stream.stats().entriesRead() - export.acknowledged());
        Thread.sleep(50);
      }
      long ackedDuringOutage = export.acknowledged();
      kafka.start();
      writer.join();
      Await.until(() -> export.acknowledged() == total);
      assertThat(export.stop(TIMEOUT)).isZero();
      assertThat(writerError.get()).isNull();
      assertThat(written.get()).isEqualTo(total);
      assertThat(maxTakenNotAcked).as("taken from the kernel but unacknowledged, during the outage")
          .isLessThanOrEqualTo(maxInFlight);
      assertThat(ackedDuringOutage).isLessThan(total);
      Map<Integer, Integer> counts = countsPerKey(kafka.bootstrapServers(), "bpfmap.outage", total);
      assertThat(counts).hasSize(total);
      assertThat(counts.values()).as("each entry written once is in Kafka once").containsOnly(1);
      assertThat(map.nextKey(null)).isEmpty();
    }
  }

  @Test
  void aGracefulStopFlushesEverythingAlreadyDrained(EmbeddedKafka kafka) throws Exception {
    int total = 5_000;
    try (BpfMap map = Flows.create("t_stop", 8192);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n")
            .maxInFlight(500).createTopics(true).build()) {
      Flows.fill(map, total, 0);
      MapStream stream = drain(map, "stop");
      KafkaExport export = sink.export(stream);
      Await.until(() -> export.sent() >= 1_000);
      assertThat(export.stop(TIMEOUT)).as("records left unacknowledged").isZero();
      assertThat(export.inFlight()).as("every record sent was acknowledged").isZero();
      assertThat(export.acknowledged()).as("the entries' records, without the cycles' markers")
          .isLessThan(export.sent());
      // Entries drained for a request but not yet emitted when the stop cancelled went back to the map.
      assertThat(stream.stats().drainConflicts()).isZero();
      int left = map.entries().size();
      Map<Integer, Integer> counts = countsPerKey(kafka.bootstrapServers(), "bpfmap.stop", (int) export.acknowledged());
      assertThat(counts.values()).containsOnly(1);
      assertThat(counts).hasSize((int) export.acknowledged());
      assertThat(counts.size() + left).as("in Kafka or still in the map, nothing lost").isEqualTo(total);
      assertThat(left).isPositive();
    }
  }

  @Test
  void entriesKafkaRefusesForGoodGoBackIntoTheMap(EmbeddedKafka kafka) throws Exception {
    try (BpfMap map = Flows.create("t_refused", 600);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n")
            .producerProperty("max.request.size", "64").maxInFlight(100).createTopics(true).build()) {
      Flows.fill(map, 500, 0);
      MapStream stream = drain(map, "refused");
      KafkaExport export = sink.export(stream);
      assertThatThrownBy(() -> export.done().block(TIMEOUT)).isInstanceOf(KafkaSinkException.class)
          .hasMessageStartingWith("sending map 'refused' to topic 'bpfmap.refused' failed: RecordTooLargeException: ");
      Await.until(() -> export.inFlight() == 0);
      assertThat(export.acknowledged()).isZero();
      assertThat(stream.stats().entriesRead()).as("some entries were taken").isPositive();
      assertThat(stream.stats().drainConflicts()).isZero();
      assertThat(map.entries()).as("every entry taken is back").hasSize(500);
    }
  }

  /**
   * The daemon's stop order with the broker away: stop taking, wait (2 s here), abandon, close the
   * sink, and only then the map. Every entry drained and not acknowledged goes back into the map:
   * none is lost (before, records the producer still held were failed after the map had closed).
   * A record in doubt (appended by the broker as it stopped, unacknowledged) may be in both.
   */
  @Test
  void aStopWithTheBrokerAwayGivesEveryUndeliveredEntryBackBeforeTheMapCloses(@TempDir Path dir) throws Exception {
    int total = 3_000;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka")); BpfMap map = Flows.create("t_stop_out", 4096)) {
      ParsedMap parsed = map.parsed(Flows.KEY, Flows.VALUE);
      KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n").maxInFlight(500)
          .producerProperty("max.block.ms", "1000").createTopics(true).build();
      MapStream stream = drain(map, "stop_outage");
      KafkaExport export = sink.export(stream);
      // A steady writer, so that entries are still arriving when the broker goes away.
      Thread writer = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < total; i++) {
          parsed.update(Flows.key(i), Flows.value(i, i));
          LockSupport.parkNanos(1_000_000);
        }
      });
      Await.until(() -> export.acknowledged() >= 200);
      kafka.stop();
      Await.until(() -> export.inFlight() > 0);
      Thread.sleep(500);
      export.stopTaking();
      assertThat(export.settled().toFuture().completeOnTimeout(null, 2, java.util.concurrent.TimeUnit.SECONDS)
          .thenApply(v -> export.inFlight()).get()).as("records the broker cannot take").isPositive();
      export.abandon();
      long beforeClose = export.givenBack();
      sink.close(Duration.ofSeconds(2));
      assertThat(export.inFlight()).as("after the sink closed, every record was acknowledged or given back")
          .isZero();
      assertThat(export.givenBack()).as("the producer's records went back as it closed").isGreaterThan(beforeClose);
      stream.idle().block(TIMEOUT);
      stream.close();
      writer.join();
      kafka.start();
      Map<Integer, Integer> counts = countsPerKey(kafka.bootstrapServers(), "bpfmap.stop_outage",
          (int) export.acknowledged());
      assertThat(counts.values()).containsOnly(1);
      // Delivery at a stop with the broker away is at least once: a record the broker appended as it
      // went away, whose answer never came, is given back too, so its key is in both places.
      long both = counts.keySet().stream().filter(key -> parsed.lookup(Flows.key(key)).isPresent()).count();
      assertThat(both).as("keys in Kafka and back in the map: records in doubt, all given back")
          .isLessThanOrEqualTo(export.givenBack());
      assertThat(stream.stats().drainConflicts()).isZero();
      assertThat(counts.size() + map.entries().size() - both).as("in Kafka or back in the map, nothing lost")
          .isEqualTo(total);
    }
  }

  @Test
  void aDrainExportRefusesAProducerThatGivesUpOnRecords(EmbeddedKafka kafka) {
    try (BpfMap map = Flows.create("t_refuse", 16);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("n")
            .producerProperty("delivery.timeout.ms", "60000").build()) {
      MapStream stream = drain(map, "refuse");
      assertThatThrownBy(() -> sink.export(stream)).isInstanceOf(KafkaSinkException.class)
          .hasMessage("map 'refuse' is drained: each entry taken from the kernel is retried until Kafka "
              + "acknowledges it, so the producer's delivery.timeout.ms must be left to bpfmap (it is 60000)");
      stream.close();
    }
  }
}
