package io.bpfmap.kafka;

import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.RecordView;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka record of a map event (SPEC §7), rendered straight from the event's bytes into one
 * reused buffer, then copied once into each of the record's key and value:
 * key {@code {"node","map","key"}}, value {@code {"node","map","cycle","timestamp","key","value"}}
 * ({@code "cpu"} is added to both for per-CPU values), a null value (tombstone) for a DELETE, and
 * for a ring's EVENT no {@code "key"} (the record's key is node and ring; {@code "cpu"} names the
 * perf ring's CPU) and a header {@code bpfmap.kind: EVENT}, and
 * headers {@code bpfmap.map}, {@code bpfmap.node}, {@code bpfmap.layout}. Hidden fields are null:
 * the value writer never reads them. Not thread-safe: one per export.
 */
final class RecordFormat {
  static final String HEADER_MAP = "bpfmap.map";
  static final String HEADER_NODE = "bpfmap.node";
  static final String HEADER_LAYOUT = "bpfmap.layout";
  /** On a ring's records only: {@code EVENT}, the kind of event each is. */
  static final String HEADER_KIND = "bpfmap.kind";

  private static final byte[] CYCLE_FIELD = JsonOut.member(',', "cycle");
  private static final byte[] TIMESTAMP_FIELD = JsonOut.member(',', "timestamp");
  private static final byte[] CPU_FIELD = JsonOut.member(',', "cpu");
  private static final byte[] KEY_FIELD = JsonOut.member(',', "key");
  private static final byte[] VALUE_FIELD = JsonOut.member(',', "value");

  private final String topic;
  private final RecordJsonWriter keyWriter;
  private final RecordJsonWriter valueWriter;
  private final JsonOut out = new JsonOut();
  private final RecordHeaders headers;
  /** {@code {"node":…,"map":…}} without its closing brace. */
  private final byte[] prefix;

  RecordFormat(String topic, String node, RecordView view) {
    this.topic = topic;
    // a ring's events have no key: their records are keyed by node and ring alone
    this.keyWriter = view.keyLayout() == null ? null : view.keyLayout().jsonWriter();
    this.valueWriter = view.valueWriter();
    this.headers = new RecordHeaders();
    headers.add(HEADER_MAP, view.map().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_NODE, node.getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_LAYOUT, ((view.keyLayout() == null ? "" : view.keyLayout().fingerprint()) + ":"
        + view.valueLayout().fingerprint()).getBytes(StandardCharsets.UTF_8));
    if (view.keyLayout() == null) {
      headers.add(HEADER_KIND, "EVENT".getBytes(StandardCharsets.UTF_8));
    }
    headers.setReadOnly();
    this.prefix = out.raw(JsonOut.member('{', "node")).string(node).raw(JsonOut.member(',', "map"))
        .string(view.map()).take();
  }

  String topic() {
    return topic;
  }

  /**
   * The record of an UPSERT or DELETE event. The buffer receives, in order, the value's head
   * (prefix, cycle, timestamp), the part key and value share ({@code ,"cpu":…,"key":{…}}) and the
   * value's tail; the key is the prefix, the shared part and a brace.
   */
  ProducerRecord<byte[], byte[]> record(MapEvent e) {
    long timestamp = e.cycleStart().toEpochMilli();
    out.reset();
    out.raw(prefix).raw(CYCLE_FIELD).number(e.cycle()).raw(TIMESTAMP_FIELD).number(timestamp);
    int shared = out.length();
    if (e.cpu() >= 0) {
      out.raw(CPU_FIELD).number(e.cpu());
    }
    if (keyWriter != null) {
      keyWriter.write(out.raw(KEY_FIELD), e.rawKey(), 0);
    }
    int sharedEnd = out.length();
    byte[] key = new byte[prefix.length + sharedEnd - shared + 1];
    System.arraycopy(prefix, 0, key, 0, prefix.length);
    System.arraycopy(out.array(), shared, key, prefix.length, sharedEnd - shared);
    key[key.length - 1] = '}';
    byte[] value = null;
    if (e.kind() == MapEvent.Kind.UPSERT || e.kind() == MapEvent.Kind.EVENT) {
      valueWriter.write(out.raw(VALUE_FIELD), e.rawValue(), 0);
      value = out.raw('}').take();
    }
    return new ProducerRecord<>(topic, null, timestamp, key, value, headers);
  }
}
