package io.bpfmap.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
 * The Kafka record of a map event (SPEC §7), rendered straight from the event's bytes:
 * key {@code {"node","map","key"}}, value {@code {"node","map","cycle","timestamp","key","value"}}
 * ({@code "cpu"} is added to both for per-CPU values), a null value (tombstone) for a DELETE, and
 * headers {@code bpfmap.map}, {@code bpfmap.node}, {@code bpfmap.layout}. Hidden fields are null:
 * the value writer never reads them. Not thread-safe: one per export.
 */
final class RecordFormat {
  static final String HEADER_MAP = "bpfmap.map";
  static final String HEADER_NODE = "bpfmap.node";
  static final String HEADER_LAYOUT = "bpfmap.layout";

  private static final SerializedString NODE = new SerializedString("node");
  private static final SerializedString MAP = new SerializedString("map");
  private static final SerializedString CYCLE = new SerializedString("cycle");
  private static final SerializedString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializedString CPU = new SerializedString("cpu");
  private static final SerializedString KEY = new SerializedString("key");
  private static final SerializedString VALUE = new SerializedString("value");

  private final String topic;
  private final String node;
  private final String map;
  private final RecordJsonWriter keyWriter;
  private final RecordJsonWriter valueWriter;
  private final JsonBytes json = new JsonBytes();
  private final RecordHeaders headers;

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
  }

  String topic() {
    return topic;
  }

  /** The record of an UPSERT or DELETE event. */
  ProducerRecord<byte[], byte[]> record(MapEvent e) {
    try {
      JsonGenerator g = json.generator();
      g.writeStartObject();
      identity(g, e);
      g.writeEndObject();
      byte[] key = json.take();
      byte[] value = null;
      if (e.kind() == MapEvent.Kind.UPSERT) {
        g.writeStartObject();
        g.writeFieldName(NODE);
        g.writeString(node);
        g.writeFieldName(MAP);
        g.writeString(map);
        g.writeFieldName(CYCLE);
        g.writeNumber(e.cycle());
        g.writeFieldName(TIMESTAMP);
        g.writeNumber(e.cycleStart().toEpochMilli());
        if (e.cpu() >= 0) {
          g.writeFieldName(CPU);
          g.writeNumber(e.cpu());
        }
        g.writeFieldName(KEY);
        keyWriter.write(g, e.rawKey(), 0);
        g.writeFieldName(VALUE);
        valueWriter.write(g, e.rawValue(), 0);
        g.writeEndObject();
        value = json.take();
      }
      return new ProducerRecord<>(topic, null, e.cycleStart().toEpochMilli(), key, value, headers);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private void identity(JsonGenerator g, MapEvent e) throws IOException {
    g.writeFieldName(NODE);
    g.writeString(node);
    g.writeFieldName(MAP);
    g.writeString(map);
    if (e.cpu() >= 0) {
      g.writeFieldName(CPU);
      g.writeNumber(e.cpu());
    }
    g.writeFieldName(KEY);
    keyWriter.write(g, e.rawKey(), 0);
  }
}
