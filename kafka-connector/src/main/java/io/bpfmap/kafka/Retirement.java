package io.bpfmap.kafka;

import io.bpfmap.core.record.JsonOut;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Tombstones every key a node still holds in a compacted topic: reads the topic from its start to
 * the end it has now, keeps the keys of records whose key starts {@code {"node":"<node>",} (as
 * every record bpfmap writes does) or is {@code {"node":"<node>"}} (its heartbeat) and whose
 * latest value is not a tombstone, and sends a tombstone for each, with its record's headers.
 * Also finds the nodes whose last heartbeat is older than an expiry.
 */
final class Retirement {
  private Retirement() {}

  static long retire(KafkaProducer<byte[], byte[]> producer, Properties client, String topic, String node,
      Duration timeout) {
    byte[] prefix = new JsonOut().raw(JsonOut.member('{', "node")).string(node).raw(',').take();
    // a heartbeat's key is the node alone
    byte[] alone = java.util.Arrays.copyOf(prefix, prefix.length);
    alone[alone.length - 1] = '}';
    Map<ByteBuffer, ConsumerRecord<byte[], byte[]>> live = new HashMap<>();
    forEachRecord(client, topic, timeout, r -> {
      if (r.key() != null && (startsWith(r.key(), prefix) || java.util.Arrays.equals(r.key(), alone))) {
        ByteBuffer k = ByteBuffer.wrap(r.key());
        if (r.value() == null) {
          live.remove(k);
        } else {
          live.put(k, r);
        }
      }
    });
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : live.values()) {
      sent.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.key(), null, r.headers())));
    }
    producer.flush();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new KafkaSinkException("tombstoning node '" + node + "' in topic '" + topic + "' failed: "
          + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaSinkException("interrupted while tombstoning node '" + node + "'", e);
    }
    return live.size();
  }

  /** Every record of {@code topic} from its start to the end it has now, in each partition's order. */
  private static void forEachRecord(Properties client, String topic, Duration timeout,
      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new KafkaSinkException("topic '" + topic + "' does not exist", null);
      }
      List<TopicPartition> parts = new ArrayList<>();
      infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp, timeout) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new KafkaSinkException("reading topic '" + topic + "' took longer than " + timeout.toSeconds() + "s", null);
        }
        c.poll(Duration.ofMillis(500)).forEach(each);
      }
    }
  }

  /** The nodes whose latest heartbeat in {@code topic} is older than {@code expiry}, oldest first. */
  static List<String> silent(Properties client, String topic, Duration expiry, Duration timeout) {
    Map<String, Long> last = new HashMap<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    forEachRecord(client, topic, timeout, r -> {
      try {
        String node = json.readTree(r.key()).path("node").asText(null);
        if (node == null) {
          return;
        }
        if (r.value() == null) {
          last.remove(node);
        } else {
          last.put(node, json.readTree(r.value()).path("timestamp").asLong(r.timestamp()));
        }
      } catch (java.io.IOException notOurs) {
        // a record bpfmap did not write
      }
    });
    long before = System.currentTimeMillis() - expiry.toMillis();
    return last.entrySet().stream().filter(e -> e.getValue() < before).sorted(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey).toList();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
