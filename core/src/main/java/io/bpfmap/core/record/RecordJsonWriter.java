package io.bpfmap.core.record;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.List;

/**
 * Renders records as JSON straight from memory with Jackson's streaming generator: no
 * intermediate maps, field names pre-encoded, numbers written from the bytes (Q unsigned), {@code s}
 * fields as C strings ({@link CString}). Fields hidden by a mask are written as {@code null} and
 * never read. Not thread-safe (it owns scratch buffers); make one per thread.
 */
public final class RecordJsonWriter {
  private final Plan root;
  private final Codec codec;
  private final char[] scratch;
  private JsonBytes own;

  RecordJsonWriter(Struct layout, Codec codec, BitSet hidden) {
    this.codec = codec;
    this.root = plan(layout, hidden == null ? new BitSet() : hidden);
    this.scratch = new char[Math.max(32, CString.maxChars(maxBytes(layout)))];
  }

  /** Writes the record starting at {@code base} in {@code m} as one JSON object. */
  public void write(JsonGenerator g, MemorySegment m, long base) throws IOException {
    write(root, g, m, base);
  }

  /** The record as UTF-8 JSON bytes (a fresh array; the generator and buffer are reused). */
  public byte[] toJson(MemorySegment m, long base) {
    try {
      if (own == null) {
        own = new JsonBytes();
      }
      write(root, own.generator(), m, base);
      return own.take();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] toJson(byte[] record) {
    return toJson(MemorySegment.ofArray(record), 0);
  }

  private void write(Plan p, JsonGenerator g, MemorySegment m, long base) throws IOException {
    switch (p) {
      case Plan.Hidden h -> g.writeNull();
      case Plan.Obj o -> {
        g.writeStartObject();
        for (int i = 0; i < o.names.length; i++) {
          g.writeFieldName(o.names[i]);
          write(o.values[i], g, m, base);
        }
        g.writeEndObject();
      }
      case Plan.Arr a -> {
        g.writeStartArray();
        for (Plan e : a.elements) {
          write(e, g, m, base);
        }
        g.writeEndArray();
      }
      case Plan.Leaf l -> leaf(l.scalar, g, m, base + l.scalar.offset());
    }
  }

  private void leaf(Scalar s, JsonGenerator g, MemorySegment m, long at) throws IOException {
    switch (s.format()) {
      case INT8 -> g.writeNumber(m.get(ValueLayout.JAVA_BYTE, at));
      case UINT8 -> g.writeNumber(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF);
      case BOOL -> g.writeBoolean(m.get(ValueLayout.JAVA_BYTE, at) != 0);
      case INT16 -> g.writeNumber(codec.i16(m, at));
      case UINT16 -> g.writeNumber(codec.i16(m, at) & 0xFFFF);
      case INT32 -> g.writeNumber(codec.i32(m, at));
      case UINT32 -> g.writeNumber(codec.i32(m, at) & 0xFFFF_FFFFL);
      case LONG -> g.writeNumber(s.size() == 8 ? codec.i64(m, at) : codec.i32(m, at));
      case ULONG -> unsigned(g, s.size() == 8 ? codec.i64(m, at) : codec.i32(m, at) & 0xFFFF_FFFFL);
      case INT64 -> g.writeNumber(codec.i64(m, at));
      case UINT64, POINTER -> unsigned(g, codec.i64(m, at));
      case HALF -> g.writeNumber(Half.toFloat(codec.i16(m, at)));
      case FLOAT -> g.writeNumber(codec.f32(m, at));
      case DOUBLE -> g.writeNumber(codec.f64(m, at));
      case CHAR, STRING -> g.writeString(scratch, 0, CString.decode(m, at, s.count(), scratch));
      case PASCAL -> {
        int len = Math.min(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF, s.count() - 1);
        g.writeString(scratch, 0, CString.decode(m, at + 1, Math.max(0, len), scratch));
      }
      case PAD -> throw new IllegalStateException("pad bytes have no value");
    }
  }

  /** Writes the unsigned value of {@code v}'s bits without allocating. */
  private void unsigned(JsonGenerator g, long v) throws IOException {
    if (v >= 0) {
      g.writeNumber(v);
      return;
    }
    int n = scratch.length;
    long q = (v >>> 1) / 5;
    long r = v - q * 10;
    scratch[--n] = (char) ('0' + r);
    while (q > 0) {
      scratch[--n] = (char) ('0' + q % 10);
      q /= 10;
    }
    g.writeNumber(scratch, n, scratch.length - n);
  }

  /** What to write for each node: compiled once, with hidden subtrees cut off. */
  private sealed interface Plan {
    record Hidden() implements Plan {}

    record Leaf(Scalar scalar) implements Plan {}

    record Arr(Plan[] elements) implements Plan {}

    record Obj(SerializedString[] names, Plan[] values) implements Plan {}
  }

  private static Plan plan(LayoutNode n, BitSet hidden) {
    if (hidden.get(n.id())) {
      return new Plan.Hidden();
    }
    return switch (n) {
      case Scalar s -> new Plan.Leaf(s);
      case ArrayOf a -> new Plan.Arr(a.elements().stream().map(e -> plan(e, hidden)).toArray(Plan[]::new));
      case Struct st -> {
        List<Field> fields = st.fields().stream().filter(f -> !f.isPad()).toList();
        yield new Plan.Obj(fields.stream().map(f -> new SerializedString(f.name())).toArray(SerializedString[]::new),
            fields.stream().map(f -> plan(f.node(), hidden)).toArray(Plan[]::new));
      }
    };
  }

  private static int maxBytes(LayoutNode n) {
    return switch (n) {
      case Scalar s -> s.count();
      case ArrayOf a -> a.elements().stream().mapToInt(RecordJsonWriter::maxBytes).max().orElse(0);
      case Struct st -> st.fields().stream().mapToInt(f -> maxBytes(f.node())).max().orElse(0);
    };
  }
}
