package io.bpfmap.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic back for tests: every record, or the table a compacted topic stands for. */
final class Topics {
  private Topics() {}

  /** All records of {@code topic} (partition 0..n), waiting until at least {@code min} arrived. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, int min, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        boolean atEnd = parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
        if (out.size() >= min && atEnd) {
          break;
        }
      }
    }
    return out;
  }

  /** A cycle marker ({@code op: m}), not an entry. */
  static boolean marker(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).contains("\"marker\":\"cycle\"");
  }

  /** A delete's {@code d} record, which its tombstone follows. */
  static boolean deleteRecord(ConsumerRecord<byte[], byte[]> r) {
    return r.value() != null && new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).contains("\"op\":\"d\"");
  }

  /** The entries' records: neither markers nor d records. */
  static List<ConsumerRecord<byte[], byte[]>> entries(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().filter(r -> !marker(r) && !deleteRecord(r)).toList();
  }

  /**
   * The latest value per record key (null values and d records remove the key, markers are not
   * entries): the table of a compacted topic.
   */
  static Map<String, String> table(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, String> t = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : entries(records)) {
      String k = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
      if (r.value() == null) {
        t.remove(k);
      } else {
        t.put(k, new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return t;
  }
}
