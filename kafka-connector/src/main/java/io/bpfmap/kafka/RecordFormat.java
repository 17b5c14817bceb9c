package io.bpfmap.kafka;

import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.Origin;
import io.bpfmap.core.stream.RecordView;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka records of a map's or ring's events (SPEC §7, and change capture beside it), rendered
 * straight from the event's bytes into one reused buffer, then copied once into each of the
 * record's key and value:
 * <ul>
 *   <li>key {@code {"node","map","key"}} ({@code "cpu"} added for per-CPU values; a ring's records
 *       have no {@code "key"});
 *   <li>value {@code {"node","map","cycle","timestamp","key","value","op","source"}}: {@code op} is
 *       {@code r} (a SNAPSHOT read), {@code c} (a CHANGES key new to the stream, a DRAIN entry, a
 *       ring's event), {@code u} (a changed key) or {@code d} (a delete: its value null, followed
 *       by the tombstone); {@code source} says where it comes from: node, map, the kernel map's id
 *       and where it was opened, the layouts' fingerprints, the mode and the cycle;
 *   <li>a cycle's markers, keyed {@code {"node","map","marker":"cycle"}}: value
 *       {@code {"node","map","cycle","timestamp","op":"m","marker":"begin"|"end","source"}};
 *   <li>headers {@code bpfmap.map}, {@code bpfmap.node}, {@code bpfmap.layout}, and
 *       {@code bpfmap.kind: EVENT} on a ring's records.
 * </ul>
 * Hidden fields are null: the value writer never reads them. Not thread-safe: one per export.
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
  private static final byte[] NULL_VALUE = (new String(VALUE_FIELD, StandardCharsets.UTF_8) + "null")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] OP_FIELD = JsonOut.member(',', "op");
  private static final byte[] MARKER_FIELD = JsonOut.member(',', "marker");

  private final String topic;
  private final Mode mode;
  private final RecordJsonWriter keyWriter;
  private final RecordJsonWriter valueWriter;
  private final JsonOut out = new JsonOut();
  private final RecordHeaders headers;
  /** {@code {"node":…,"map":…}} without its closing brace. */
  private final byte[] prefix;
  /** {@code ,"source":{…,"cycle":} : the number and two braces follow. */
  private final byte[] source;
  /** A marker's key: {@code {"node":…,"map":…,"marker":"cycle"}}. */
  private final byte[] markerKey;

  /**
   * @param mode the map stream's mode, or null for a ring's events
   */
  RecordFormat(String topic, String node, RecordView view, Mode mode, Origin origin) {
    this.topic = topic;
    this.mode = mode;
    // a ring's events have no key: their records are keyed by node and ring alone
    this.keyWriter = view.keyLayout() == null ? null : view.keyLayout().jsonWriter();
    this.valueWriter = view.valueWriter();
    this.headers = new RecordHeaders();
    String keyLayout = view.keyLayout() == null ? "" : view.keyLayout().fingerprint();
    headers.add(HEADER_MAP, view.map().getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_NODE, node.getBytes(StandardCharsets.UTF_8));
    headers.add(HEADER_LAYOUT, (keyLayout + ":" + view.valueLayout().fingerprint()).getBytes(StandardCharsets.UTF_8));
    if (view.keyLayout() == null) {
      headers.add(HEADER_KIND, "EVENT".getBytes(StandardCharsets.UTF_8));
    }
    headers.setReadOnly();
    this.prefix = out.raw(JsonOut.member('{', "node")).string(node).raw(JsonOut.member(',', "map"))
        .string(view.map()).take();
    out.raw(JsonOut.member(',', "source")).raw(JsonOut.member('{', "node")).string(node)
        .raw(JsonOut.member(',', "map")).string(view.map()).raw(JsonOut.member(',', "map_id")).number(origin.mapId())
        .raw(JsonOut.member(',', "target")).string(origin.target());
    if (view.keyLayout() != null) {
      out.raw(JsonOut.member(',', "key_layout")).string(keyLayout);
    }
    this.source = out.raw(JsonOut.member(',', "value_layout")).string(view.valueLayout().fingerprint())
        .raw(JsonOut.member(',', "mode")).string(mode == null ? "events" : mode.name().toLowerCase(java.util.Locale.ROOT))
        .raw(CYCLE_FIELD).take();
    this.markerKey = out.raw(prefix).raw(MARKER_FIELD).string("cycle").raw('}').take();
  }

  String topic() {
    return topic;
  }

  /** The change-capture operation of an event: r, c, u or d. */
  private String op(MapEvent e) {
    if (e.kind() == MapEvent.Kind.DELETE) {
      return "d";
    }
    if (mode == Mode.SNAPSHOT) {
      return "r";
    }
    return mode == Mode.CHANGES && !e.created() ? "u" : "c";
  }

  /**
   * The record of an UPSERT, EVENT or DELETE event; for a DELETE, {@code tombstone} says which of
   * its two records: the tombstone (null value), or the {@code d} record before it. The buffer
   * receives, in order, the value's head (prefix, cycle, timestamp), the part key and value share
   * ({@code ,"cpu":…,"key":{…}}) and the value's tail; the key is the prefix, the shared part and
   * a brace.
   */
  ProducerRecord<byte[], byte[]> record(MapEvent e, boolean tombstone) {
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
    if (e.kind() != MapEvent.Kind.DELETE) {
      valueWriter.write(out.raw(VALUE_FIELD), e.rawValue(), 0);
      value = tail(e, op(e));
    } else if (!tombstone) {
      out.raw(NULL_VALUE);
      value = tail(e, "d");
    }
    return new ProducerRecord<>(topic, null, timestamp, key, value, headers);
  }

  /** A cycle's marker: {@code begin} before its first record, {@code end} after its last. */
  ProducerRecord<byte[], byte[]> marker(MapEvent e, boolean begin) {
    long timestamp = e.cycleStart().toEpochMilli();
    out.reset();
    out.raw(prefix).raw(CYCLE_FIELD).number(e.cycle()).raw(TIMESTAMP_FIELD).number(timestamp).raw(OP_FIELD).string("m")
        .raw(MARKER_FIELD).string(begin ? "begin" : "end").raw(source).number(e.cycle()).raw('}').raw('}');
    return new ProducerRecord<>(topic, null, timestamp, markerKey, out.take(), headers);
  }

  /** {@code ,"op":…,"source":{…}} and the value's closing brace, then the value's bytes. */
  private byte[] tail(MapEvent e, String op) {
    return out.raw(OP_FIELD).string(op).raw(source).number(e.cycle()).raw('}').raw('}').take();
  }
}
