package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Renders records as JSON straight from memory into a {@link JsonOut}: no intermediate maps, field
 * names and punctuation pre-encoded, numbers written from the bytes without allocating (Q
 * unsigned), {@code s} fields as C strings ({@link CString}). Fields hidden by a mask are written
 * as {@code null} and never read. Not thread-safe (it owns scratch buffers); make one per thread.
 */
public final class RecordJsonWriter {
  /** The JSON is {@code literals[0] leaf[0] literals[1] … leaf[n-1] literals[n]}. */
  private final byte[][] literals;
  private final Scalar[] leaves;
  private final Codec codec;
  private final char[] scratch;
  private JsonOut own;

  RecordJsonWriter(Struct layout, Codec codec, BitSet hidden) {
    this.codec = codec;
    Flat flat = new Flat();
    flat.add(layout, hidden == null ? new BitSet() : hidden);
    this.literals = flat.finish();
    this.leaves = flat.leaves.toArray(Scalar[]::new);
    this.scratch = new char[Math.max(32, CString.maxChars(maxBytes(layout)))];
  }

  /** Writes the record starting at {@code base} in {@code m} as one JSON object. */
  public void write(JsonOut out, MemorySegment m, long base) {
    for (int i = 0; i < leaves.length; i++) {
      out.raw(literals[i]);
      leaf(leaves[i], out, m, base + leaves[i].offset());
    }
    out.raw(literals[leaves.length]);
  }

  /** The record as UTF-8 JSON bytes (a fresh array; the buffer is reused). */
  public byte[] toJson(MemorySegment m, long base) {
    if (own == null) {
      own = new JsonOut();
    }
    own.reset();
    write(own, m, base);
    return own.take();
  }

  public byte[] toJson(byte[] record) {
    return toJson(MemorySegment.ofArray(record), 0);
  }

  private void leaf(Scalar s, JsonOut out, MemorySegment m, long at) {
    switch (s.format()) {
      case INT8 -> out.number(m.get(ValueLayout.JAVA_BYTE, at));
      case UINT8 -> out.number(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF);
      case BOOL -> out.bool(m.get(ValueLayout.JAVA_BYTE, at) != 0);
      case INT16 -> out.number(codec.i16(m, at));
      case UINT16 -> out.number(codec.i16(m, at) & 0xFFFF);
      case INT32 -> out.number(codec.i32(m, at));
      case UINT32 -> out.number(codec.i32(m, at) & 0xFFFF_FFFFL);
      case LONG -> out.number(s.size() == 8 ? codec.i64(m, at) : codec.i32(m, at));
      case ULONG -> out.unsigned(s.size() == 8 ? codec.i64(m, at) : codec.i32(m, at) & 0xFFFF_FFFFL);
      case INT64 -> out.number(codec.i64(m, at));
      case UINT64, POINTER -> out.unsigned(codec.i64(m, at));
      case HALF -> out.number(Half.toFloat(codec.i16(m, at)));
      case FLOAT -> out.number(codec.f32(m, at));
      case DOUBLE -> out.number(codec.f64(m, at));
      case CHAR, STRING -> out.string(scratch, 0, CString.decode(m, at, s.count(), scratch));
      case PASCAL -> {
        int len = Math.min(m.get(ValueLayout.JAVA_BYTE, at) & 0xFF, s.count() - 1);
        out.string(scratch, 0, CString.decode(m, at + 1, Math.max(0, len), scratch));
      }
      case PAD -> throw new IllegalStateException("pad bytes have no value");
    }
  }

  /**
   * Flattens a layout into literal text and leaves: names, punctuation and the {@code null} of
   * every hidden subtree become literals, so writing is one loop with no structure left.
   */
  private static final class Flat {
    final List<Scalar> leaves = new ArrayList<>();
    final List<byte[]> literals = new ArrayList<>();
    final JsonOut text = new JsonOut();

    void add(LayoutNode n, BitSet hidden) {
      if (hidden.get(n.id())) {
        text.nul();
        return;
      }
      switch (n) {
        case Scalar s -> {
          literals.add(text.take());
          leaves.add(s);
        }
        case ArrayOf a -> {
          text.raw('[');
          for (int i = 0; i < a.elements().size(); i++) {
            if (i > 0) {
              text.raw(',');
            }
            add(a.elements().get(i), hidden);
          }
          text.raw(']');
        }
        case Struct st -> {
          List<Field> fields = st.fields().stream().filter(f -> !f.isPad()).toList();
          text.raw('{');
          for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).name();
            (i > 0 ? text.raw(',') : text).string(name).raw(':');
            add(fields.get(i).node(), hidden);
          }
          text.raw('}');
        }
      }
    }

    byte[][] finish() {
      literals.add(text.take());
      return literals.toArray(byte[][]::new);
    }
  }

  private static int maxBytes(LayoutNode n) {
    return switch (n) {
      case Scalar s -> s.count();
      case ArrayOf a -> a.elements().stream().mapToInt(RecordJsonWriter::maxBytes).max().orElse(0);
      case Struct st -> st.fields().stream().mapToInt(f -> maxBytes(f.node())).max().orElse(0);
    };
  }
}
