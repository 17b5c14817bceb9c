package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Export of the 1 000 000-entry map in SNAPSHOT mode to a local broker, against the raw
 * kafka-clients producer sending pre-built records of the same sizes with the same producer
 * settings (the reference), in one run against one broker; lz4 (the default) and zstd.
 */
final class KafkaBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"Q\"],[\"check\",\"Q\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"data\",\"8Q\"]]");
  private static final int N = ReadBench.ENTRIES;

  private KafkaBench() {}

  static void run() {
    try {
      Path dir = Files.createTempDirectory("bpfmap-bench-kafka");
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("data"));
          BpfMap map = ReadBench.filledHash("bench_kafka", N)) {
        for (String compression : new String[] {"lz4", "zstd"}) {
          raw(kafka, "warmup-" + compression, compression);
          double reference = raw(kafka, "raw-" + compression, compression);
          double ours = export(kafka, map, "ours-" + compression, compression);
          Bench.report("kafka.snapshot.1M." + compression, "java_rps", ours, "raw_rps", reference);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("kafka benchmark failed: " + e.getMessage(), e);
    }
  }

  private static KafkaSink sink(EmbeddedKafka kafka, String topic, String compression) {
    return KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("bench-node").topic(topic)
        .producerProperty("compression.type", compression).createTopics(true).build();
  }

  private static double export(EmbeddedKafka kafka, BpfMap map, String topic, String compression) {
    try (KafkaSink sink = sink(kafka, topic, compression)) {
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).interval(Duration.ofHours(1))
          .prefetch(4096).build();
      long t0 = System.nanoTime();
      KafkaExport export = sink.export(stream);
      while (export.acknowledged() < N) {
        sleep(2);
      }
      double rps = N / ((System.nanoTime() - t0) / 1e9);
      export.stop(Duration.ofSeconds(30));
      return rps;
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The reference: the same producer settings, pre-built records shaped like bpfmap's. */
  private static double raw(EmbeddedKafka kafka, String topic, String compression) throws InterruptedException {
    try (KafkaSink sink = sink(kafka, topic, compression)) {
      sink.ensureTopic(topic, false);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    byte[][] keys = new byte[1024][];
    byte[][] values = new byte[1024][];
    for (int i = 0; i < 1024; i++) {
      long id = 123_456L + i * 7919L;
      keys[i] = ("{\"node\":\"bench-node\",\"map\":\"bench_kafka\",\"key\":{\"id\":" + id + ",\"check\":"
          + Long.toUnsignedString(~id) + "}}").getBytes(StandardCharsets.UTF_8);
      StringBuilder v = new StringBuilder("{\"node\":\"bench-node\",\"map\":\"bench_kafka\",\"cycle\":1,"
          + "\"timestamp\":1764097200123,\"key\":{\"id\":" + id + ",\"check\":" + Long.toUnsignedString(~id)
          + "},\"value\":{\"data\":[");
      for (int w = 0; w < 8; w++) {
        v.append(w == 0 ? "" : ",").append(id * 8 + w);
      }
      values[i] = v.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
    }
    AtomicLong acked = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < N; i++) {
        producer.send(new ProducerRecord<>(topic, keys[i & 1023], values[i & 1023]), (md, ex) -> {
          if (acked.incrementAndGet() == N) {
            all.countDown();
          }
        });
      }
      if (!all.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("raw producer: only " + acked.get() + " of " + N + " acknowledged");
      }
      return N / ((System.nanoTime() - t0) / 1e9);
    }
  }
}
