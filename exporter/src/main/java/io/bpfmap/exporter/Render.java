package io.bpfmap.exporter;

import io.bpfmap.core.MapBtf;
import io.bpfmap.core.MapFlags;
import io.bpfmap.core.MapInfo;
import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/** JSON output of the command line: map info, and keys and values (by layout, or hex). */
final class Render {
  private final JsonOut json = new JsonOut();

  /**
   * {@code {"id":…,"type":"hash","name":…,"key_size":…,…,"btf_id":…}}, with the BTF types when
   * {@code btf} is given ({@code btf_key_type}, {@code btf_value_type}, {@code btf_c}) and the
   * pins when {@code pins} is.
   */
  String info(MapInfo i, MapBtf btf, List<Path> pins) {
    json.raw(JsonOut.member('{', "id")).number(i.id());
    field("type").string(i.type().cliName());
    field("name").string(i.name());
    field("key_size").number(i.keySize());
    field("value_size").number(i.valueSize());
    field("max_entries").number(i.maxEntries());
    field("flags").raw('[');
    List<String> flags = MapFlags.names(i.flags());
    for (int f = 0; f < flags.size(); f++) {
      (f == 0 ? json : json.raw(',')).string(flags.get(f));
    }
    json.raw(']');
    field("btf_id").number(i.btfId());
    if (btf != null) {
      field("btf_key_type").string(btf.keyTypeId() == 0 ? "" : btf.typeName(btf.keyTypeId()));
      field("btf_value_type").string(btf.valueTypeId() == 0 ? "" : btf.typeName(btf.valueTypeId()));
      field("btf_c").string(btf.c());
    }
    if (pins != null) {
      field("pins").raw('[');
      for (int p = 0; p < pins.size(); p++) {
        (p == 0 ? json : json.raw(',')).string(pins.get(p).toString());
      }
      json.raw(']');
    }
    return text(json.raw('}'));
  }

  /** One record: with a writer, as the layout's JSON; without, as a hex string. */
  static void record(JsonOut out, RecordJsonWriter writer, MemorySegment m, long off, int size) {
    if (writer == null) {
      out.string(HexFormat.of().formatHex(m.asSlice(off, size).toArray(ValueLayout.JAVA_BYTE)));
    } else {
      writer.write(out, m, off);
    }
  }

  /** A value, or the values of every CPU as a list ({@code cpus} > 1), each {@code stride} apart. */
  String value(RecordJsonWriter writer, MemorySegment m, int size, int cpus, long stride) {
    value(json, writer, m, 0, size, cpus, stride);
    return text(json);
  }

  static void value(JsonOut out, RecordJsonWriter writer, MemorySegment m, long off, int size, int cpus,
      long stride) {
    if (cpus <= 1) {
      record(out, writer, m, off, size);
      return;
    }
    out.raw('[');
    for (int cpu = 0; cpu < cpus; cpu++) {
      record(cpu == 0 ? out : out.raw(','), writer, m, off + cpu * stride, size);
    }
    out.raw(']');
  }

  /** The buffer for a caller's own line; {@link #text} takes it. */
  JsonOut out() {
    return json;
  }

  static String text(JsonOut out) {
    return new String(out.take(), StandardCharsets.UTF_8);
  }

  /** {@code ,"name":} */
  private JsonOut field(String name) {
    return json.raw(JsonOut.member(',', name));
  }
}
