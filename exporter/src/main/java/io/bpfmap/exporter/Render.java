package io.bpfmap.exporter;

import com.fasterxml.jackson.core.JsonGenerator;
import io.bpfmap.core.MapFlags;
import io.bpfmap.core.MapInfo;
import io.bpfmap.core.record.JsonBytes;
import io.bpfmap.core.record.RecordJsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** JSON output of the command line: map info, and keys and values (by layout, or hex). */
final class Render {
  private final JsonBytes json = new JsonBytes();

  /** {@code {"id":…,"type":"hash","name":…,"key_size":…,…}} */
  String info(MapInfo i) {
    try {
      JsonGenerator g = json.generator();
      g.writeStartObject();
      g.writeNumberField("id", i.id());
      g.writeStringField("type", i.type().cliName());
      g.writeStringField("name", i.name());
      g.writeNumberField("key_size", i.keySize());
      g.writeNumberField("value_size", i.valueSize());
      g.writeNumberField("max_entries", i.maxEntries());
      g.writeArrayFieldStart("flags");
      for (String f : MapFlags.names(i.flags())) {
        g.writeString(f);
      }
      g.writeEndArray();
      g.writeNumberField("btf_id", i.btfId());
      g.writeEndObject();
      return text();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One record: with a writer, as the layout's JSON; without, as a hex string. */
  static void record(JsonGenerator g, RecordJsonWriter writer, MemorySegment m, long off, int size)
      throws IOException {
    if (writer == null) {
      g.writeString(HexFormat.of().formatHex(m.asSlice(off, size).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
    } else {
      writer.write(g, m, off);
    }
  }

  /** A value, or the values of every CPU as a list ({@code cpus} > 1), each {@code stride} apart. */
  String value(RecordJsonWriter writer, MemorySegment m, int size, int cpus, long stride) {
    try {
      value(json.generator(), writer, m, 0, size, cpus, stride);
      return text();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void value(JsonGenerator g, RecordJsonWriter writer, MemorySegment m, long off, int size, int cpus,
      long stride) throws IOException {
    if (cpus <= 1) {
      record(g, writer, m, off, size);
      return;
    }
    g.writeStartArray();
    for (int cpu = 0; cpu < cpus; cpu++) {
      record(g, writer, m, off + cpu * stride, size);
    }
    g.writeEndArray();
  }

  JsonGenerator generator() {
    return json.generator();
  }

  String text() {
    return new String(json.take(), StandardCharsets.UTF_8);
  }
}
