package io.bpfmap.kafka;

import io.bpfmap.core.record.JsonOut;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A node's heartbeat record (see {@link KafkaSink#heartbeat}). */
final class Heartbeats {
  private Heartbeats() {}

  static void send(KafkaProducer<byte[], byte[]> producer, String node, String topic, Duration interval,
      Map<String, Long> cycles) {
    long now = System.currentTimeMillis();
    JsonOut out = new JsonOut();
    byte[] key = out.raw(JsonOut.member('{', "node")).string(node).raw('}').take();
    out.raw(JsonOut.member('{', "node")).string(node).raw(JsonOut.member(',', "timestamp")).number(now)
        .raw(JsonOut.member(',', "interval_ms")).number(interval.toMillis()).raw(JsonOut.member(',', "maps"));
    char sep = '{';
    for (Map.Entry<String, Long> c : cycles.entrySet()) {
      out.raw(JsonOut.member(sep, c.getKey())).raw(JsonOut.member('{', "cycle")).number(c.getValue()).raw('}');
      sep = ',';
    }
    if (sep == '{') {
      out.raw('{');
    }
    byte[] value = out.raw('}').raw('}').take();
    org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals
        .RecordHeaders();
    headers.add(RecordFormat.HEADER_NODE, node.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    headers.add(RecordFormat.HEADER_KIND, "HEARTBEAT".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(topic, null, now, key, value, headers), (m, ex) -> {
      if (ex != null) {
        org.slf4j.LoggerFactory.getLogger(KafkaSink.class).warn("heartbeat to topic '{}' failed: {}", topic,
            ex.getMessage());
      }
    });
  }
}
