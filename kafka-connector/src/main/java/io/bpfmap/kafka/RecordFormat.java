package io.bpfmap.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import io.bpfmap.core.record.JsonBytes;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.RecordView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka record of a map event (SPEC §7), rendered straight from the event's bytes (the key
 * object once, spliced into both record key and value):
 * key {@code {"node","map","key"}}, value {@code {"node","map","cycle","timestamp","key","value"}}
 * ({@code "cpu"} is added to both for per-CPU values), a null value (tombstone) for a DELETE, and
 * headers {@code bpfmap.map}, {@code bpfmap.node}, {@code bpfmap.layout}. Hidden fields are null:
 * the value writer never reads them. Not thread-safe: one per export.
 */
final class RecordFormat {
  static final String HEADER_MAP = "bpfmap.map";
  static final String HEADER_NODE = "bpfmap.node";
  static final String HEADER_LAYOUT = "bpfmap.layout";

  private static final byte[] EMPTY = {};
  private static final byte[] KEY_FIELD = ",\"key\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VALUE_FIELD = ",\"value\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "}".getBytes(StandardCharsets.US_ASCII);

  private final String topic;
  private final String node;
  private final String map;
  private final RecordJsonWriter keyWriter;
  private final RecordJsonWriter valueWriter;
  private final JsonBytes json = new JsonBytes();
  private final RecordHeaders headers;
  private final byte[] keyPrefix;

  RecordFormat(String topic, String node, RecordView view) {
    this.topic = topic;
    this.node = node;
    this.map = view.map();
    this.keyWriter = view.keyLayout().jsonWriter();
    this.valueWriter = view.valueWriter();
    this.headers = new RecordHeaders();
    headers.add(HEADER_MAP, map.getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_NODE, node.getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_LAYOUT, (view.keyLayout().fingerprint() + ":" + view.valueLayout().fingerprint())
        .getBytes(StandardCharsets.UTF_8));
    headers.setReadOnly();
    try {
      JsonGenerator g = json.generator();
      g.writeStartObject();
      g.writeStringField("node", node);
      g.writeStringField("map", map);
      g.writeEndObject();
      byte[] object = json.take();
      this.keyPrefix = java.util.Arrays.copyOf(object, object.length - 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String topic() {
    return topic;
  }

  /** The record of an UPSERT or DELETE event. */
  ProducerRecord<byte[], byte[]> record(MapEvent e) {
    try {
      JsonGenerator g = json.generator();
      keyWriter.write(g, e.rawKey(), 0);
      byte[] keyObject = json.take();
      byte[] cpu = e.cpu() >= 0 ? (",\"cpu\":" + e.cpu()).getBytes(StandardCharsets.US_ASCII) : EMPTY;
      byte[] key = concat(keyPrefix, cpu, KEY_FIELD, keyObject, CLOSE);
      byte[] value = null;
      if (e.kind() == MapEvent.Kind.UPSERT) {
        valueWriter.write(g, e.rawValue(), 0);
        byte[] valueObject = json.take();
        byte[] meta = (",\"cycle\":" + e.cycle() + ",\"timestamp\":" + e.cycleStart().toEpochMilli())
            .getBytes(StandardCharsets.US_ASCII);
        value = concat(keyPrefix, meta, cpu, KEY_FIELD, keyObject, VALUE_FIELD, valueObject, CLOSE);
      }
      return new ProducerRecord<>(topic, null, e.cycleStart().toEpochMilli(), key, value, headers);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
