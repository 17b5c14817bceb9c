package io.bpfmap.exporter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a test topic's partition 0 from the start. */
final class KafkaTopics {
  private KafkaTopics() {}

  /**
   * At least {@code min} records (or what came within 60 s), and every record up to the end the
   * partition had when the read began (a topic still being written has no end to wait for).
   */
  static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int min) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(300)).forEach(out::add);
        if (out.size() >= min && c.position(tp) >= end) {
          break;
        }
      }
    }
    return out;
  }

  /** The records of entries and events: without cycle markers and the d records before tombstones. */
  static List<ConsumerRecord<byte[], byte[]>> entries(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().filter(r -> !new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\"marker\":\"cycle\"") && !(r.value() != null && new String(r.value(),
        java.nio.charset.StandardCharsets.UTF_8).contains("\"op\":\"d\""))).toList();
  }

  /** {@link #read}, then {@link #entries}. */
  static List<ConsumerRecord<byte[], byte[]>> readEntries(String bootstrap, String topic, int min) {
    return entries(read(bootstrap, topic, min));
  }
}
