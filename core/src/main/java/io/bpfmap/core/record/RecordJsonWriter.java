package io.bpfmap.core.record;

import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
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
  private final LayoutNode[] leaves;
  /** What each leaf is: {@link #SCALAR}, {@link #ENUM}, {@link #CHARS} or {@link #BITS}. */
  private final byte[] kinds;
  private static final byte SCALAR = 0;
  private static final byte ENUM = 1;
  private static final byte CHARS = 2;
  private static final byte BITS = 3;
  private final Codec codec;
  private final char[] scratch;
  private JsonOut own;

  RecordJsonWriter(Struct layout, Codec codec, BitSet hidden) {
    this.codec = codec;
    Flat flat = new Flat();
    flat.add(layout, hidden == null ? new BitSet() : hidden);
    this.literals = flat.finish();
    this.leaves = flat.leaves.toArray(LayoutNode[]::new);
    this.kinds = new byte[leaves.length];
    for (int i = 0; i < leaves.length; i++) {
      kinds[i] = switch (leaves[i]) {
        case Scalar s -> SCALAR;
        case LayoutNode.Enum e -> ENUM;
        case Chars c -> CHARS;
        case Bits b -> BITS;
        default -> throw new IllegalStateException("not a value: " + leaves[i]);
      };
    }
    this.scratch = new char[Math.max(32, CString.maxChars(maxBytes(layout)))];
  }

  /**
   * Appends the record starting at {@code base} in {@code m} to {@code out} as one JSON object
   * (as its one value, for a bare layout).
   * @param out where the JSON goes
   * @param m memory holding the record; a record past its end throws IndexOutOfBoundsException
   * @param base the record's byte offset in {@code m}
   */
  public void write(JsonOut out, MemorySegment m, long base) {
    for (int i = 0; i < leaves.length; i++) {
      out.raw(literals[i]);
      leaf(kinds[i], leaves[i], out, m, base + leaves[i].offset());
    }
    out.raw(literals[leaves.length]);
  }

  /**
   * {@return the record as UTF-8 JSON bytes, in a new array (the writer's buffer is reused)}
   * @param m memory holding the record; a record past its end throws IndexOutOfBoundsException
   * @param base the record's byte offset in {@code m}
   */
  public byte[] toJson(MemorySegment m, long base) {
    if (own == null) {
      own = new JsonOut();
    }
    own.reset();
    write(own, m, base);
    return own.take();
  }

  /**
   * {@return a record's bytes as UTF-8 JSON bytes, in a new array}
   * @param record the record at offset 0; bytes past the layout's size are ignored
   * @throws IndexOutOfBoundsException when {@code record} is shorter than the layout
   */
  public byte[] toJson(byte[] record) {
    return toJson(MemorySegment.ofArray(record), 0);
  }

  /** Writes one value, by the kind {@link #kinds} holds for it (an int switch costs less than a type switch). */
  private void leaf(int kind, LayoutNode n, JsonOut out, MemorySegment m, long at) {
    switch (kind) {
      case SCALAR -> scalar((Scalar) n, out, m, at);
      case ENUM -> enumValue((LayoutNode.Enum) n, out, m, at);
      case CHARS -> chars((Chars) n, out, m, at);
      default -> bits((Bits) n, out, m, at - n.offset());
    }
  }

  private void enumValue(LayoutNode.Enum e, JsonOut out, MemorySegment m, long at) {
    long v = switch (e.size()) {
      case 4 -> e.format() == Format.INT32 ? codec.i32(m, at) : codec.i32(m, at) & 0xFFFF_FFFFL;
      case 8 -> codec.i64(m, at);
      default -> codec.enumValue(e, m, at);
    };
    byte[] name = e.names().json(v);
    if (name != null) {
      out.raw(name);
    } else if (e.format() == Format.UINT64) {
      out.unsigned(v);
    } else {
      out.number(v);
    }
  }

  /** A bitfield's value: a number, sign-extended when signed (bpftool prints its raw bits in hex). */
  private void bits(Bits b, JsonOut out, MemorySegment m, long base) {
    if (b.bits() > 64) {
      out.raw(codec.bitsValue(b, m, base).toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } else if (!b.signed() && b.bits() == 64) {
      out.unsigned(codec.bitsLong(b, m, base));
    } else {
      out.number(codec.bitsLong(b, m, base));
    }
  }

  /**
   * A {@code char[]} as bpftool prints it: the text when the array holds a NUL and only printable
   * ASCII before it, else the chars as numbers.
   */
  private void chars(Chars c, JsonOut out, MemorySegment m, long at) {
    int n = c.count();
    for (int i = 0; i < n; i++) {
      byte b = m.get(ValueLayout.JAVA_BYTE, at + i);
      if (b == 0) {
        out.string(scratch, 0, i);
        return;
      }
      if (b < 0x20 || b > 0x7e) {
        break;
      }
      scratch[i] = (char) b;
    }
    out.raw('[');
    for (int i = 0; i < n; i++) {
      byte b = m.get(ValueLayout.JAVA_BYTE, at + i);
      (i > 0 ? out.raw(',') : out).number(c.signed() ? b : b & 0xFF);
    }
    out.raw(']');
  }

  private void scalar(Scalar s, JsonOut out, MemorySegment m, long at) {
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
    final List<LayoutNode> leaves = new ArrayList<>();
    final List<byte[]> literals = new ArrayList<>();
    final JsonOut text = new JsonOut();

    void add(LayoutNode n, BitSet hidden) {
      if (hidden.get(n.id())) {
        text.nul();
        return;
      }
      switch (n) {
        case Struct st when st.bare() -> add(st.fields().get(0).node(), hidden);
        case Struct st -> members(st.fields(), hidden);
        case Union u -> members(u.members(), hidden);
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
        default -> {
          literals.add(text.take());
          leaves.add(n);
        }
      }
    }

    /** An object of the members (pads left out, an anonymous member's fields named as the parent's). */
    void members(List<Field> all, BitSet hidden) {
      text.raw('{');
      fields(all, hidden, true);
      text.raw('}');
    }

    private boolean fields(List<Field> all, BitSet hidden, boolean first) {
      for (Field f : all) {
        if (f.isAnonymous()) {
          first = fields(f.members(), hidden, first);
        } else if (!f.isPad()) {
          (first ? text : text.raw(',')).string(f.name()).raw(':');
          add(f.node(), hidden);
          first = false;
        }
      }
      return first;
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
      case Union u -> u.members().stream().mapToInt(f -> maxBytes(f.node())).max().orElse(0);
      case Chars c -> c.count();
      case Bits b -> 0;
      case LayoutNode.Enum e -> 0;
    };
  }
}
