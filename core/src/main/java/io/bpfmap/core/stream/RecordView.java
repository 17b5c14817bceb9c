package io.bpfmap.core.stream;

import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * How a stream sees its map's records: the layouts, the compiled mask, the byte ranges of the value
 * that are visible (everything else is never copied out of the kernel buffer), and the per-CPU
 * aggregation. Immutable; shared by the events of a stream.
 */
public final class RecordView {
  private final String map;
  private final RecordLayout key;
  private final CompiledMask mask;
  /** (offset, length) of whole visible bytes, then (offset, bits) of bytes a hidden bitfield shares. */
  private final int[] visible;
  private final int[] partial;
  /** The byte ranges no readable field covers (offset, length pairs), zeroed by {@link #maskInPlace}. */
  private final int[] hidden;
  private final FieldAccessor[] numeric;

  RecordView(String map, RecordLayout key, CompiledMask mask) {
    this.map = map;
    this.key = key;
    this.mask = mask;
    byte[] bits = mask.layout().coverage(mask.layout().leafPaths().stream()
        .filter(p -> mask.permission(p).readable()).toList());
    this.visible = visibleRanges(bits);
    this.partial = partialBytes(bits);
    this.hidden = hiddenRanges(bits);
    List<FieldAccessor> nums = new ArrayList<>();
    for (String p : mask.layout().numericPaths()) {
      if (mask.permission(p).readable()) {
        nums.add(mask.layout().accessor(p));
      }
    }
    this.numeric = nums.toArray(FieldAccessor[]::new);
  }

  /** {@return the stream's name, as its events carry it} */
  public String map() {
    return map;
  }

  /** {@return the layout keys are decoded with: the one given to the builder, or the BTF's} */
  public RecordLayout keyLayout() {
    return key;
  }

  /**
   * {@return the layout values are decoded with, hidden fields included (per-CPU maps: one CPU's
   * value)}
   */
  public RecordLayout valueLayout() {
    return mask.layout();
  }

  /** {@return the stream's mask, compiled against {@link #valueLayout()}} */
  public CompiledMask mask() {
    return mask;
  }

  /**
   * {@return a new JSON writer for values under the mask, hidden fields written as null} Not
   * thread-safe: use one per thread.
   */
  public RecordJsonWriter valueWriter() {
    return mask.jsonWriter();
  }

  /** Copies the visible bytes of the value at {@code off} of {@code src}; hidden bytes stay zero. */
  byte[] copyVisible(MemorySegment src, long off) {
    byte[] out = new byte[mask.layout().size()];
    copyVisible(src, off, out, 0);
    return out;
  }

  /** Copies the visible bytes of the value at {@code off} of {@code src} into {@code out} at {@code at}, which holds zeros. */
  void copyVisible(MemorySegment src, long off, byte[] out, int at) {
    for (int i = 0; i < visible.length; i += 2) {
      MemorySegment.copy(src, ValueLayout.JAVA_BYTE, off + visible[i], out, at + visible[i], visible[i + 1]);
    }
    for (int i = 0; i < partial.length; i += 2) {
      out[at + partial[i]] = (byte) (src.get(ValueLayout.JAVA_BYTE, off + partial[i]) & partial[i + 1]);
    }
  }

  /** A 64-bit fingerprint of the visible bytes of the value at {@code off} (cpus values apart by stride). */
  long fingerprint(MemorySegment src, long off, int cpus, long stride) {
    long h = 0x9E3779B97F4A7C15L;
    for (int cpu = 0; cpu < cpus; cpu++) {
      long base = off + cpu * stride;
      for (int i = 0; i < visible.length; i += 2) {
        h = Hash.mix(h, src, base + visible[i], visible[i + 1]);
      }
      for (int i = 0; i < partial.length; i += 2) {
        h = Hash.mix(h, src.get(ValueLayout.JAVA_BYTE, base + partial[i]) & partial[i + 1]);
      }
    }
    return h;
  }

  /**
   * Aggregates {@code cpus} per-CPU values (stride apart) into one value: numeric readable fields
   * by {@code policy}, everything else from CPU 0; only visible bytes are copied, into {@code out}
   * at {@code at}, which holds zeros.
   */
  void aggregate(MemorySegment src, long off, int cpus, long stride, PerCpuPolicy policy, byte[] out, int at) {
    copyVisible(src, off, out, at);
    MemorySegment o = MemorySegment.ofArray(out);
    for (FieldAccessor a : numeric) {
      if (a.floating()) {
        double acc = a.getDouble(src, off);
        for (int cpu = 1; cpu < cpus; cpu++) {
          double v = a.getDouble(src, off + cpu * stride);
          acc = switch (policy) {
            case SUM -> acc + v;
            case MIN -> Math.min(acc, v);
            default -> Math.max(acc, v);
          };
        }
        a.putDouble(o, at, acc);
      } else {
        long acc = a.getLong(src, off);
        for (int cpu = 1; cpu < cpus; cpu++) {
          long v = a.getLong(src, off + cpu * stride);
          acc = switch (policy) {
            case SUM -> acc + v;
            case MIN -> less(v, acc, a) ? v : acc;
            default -> less(acc, v, a) ? v : acc;
          };
        }
        a.putLong(o, at, acc);
      }
    }
  }

  private static boolean less(long x, long y, FieldAccessor a) {
    return a.unsigned64() ? Long.compareUnsigned(x, y) < 0 : x < y;
  }

  /**
   * Zeroes, in a record already copied into {@code data} at {@code off}, the bytes that hidden
   * fields hold: what {@link #copyVisible} leaves out, for records copied in bulk.
   */
  void maskInPlace(byte[] data, int off) {
    for (int i = 0; i < hidden.length; i += 2) {
      java.util.Arrays.fill(data, off + hidden[i], off + hidden[i] + hidden[i + 1], (byte) 0);
    }
    for (int i = 0; i < partial.length; i += 2) {
      data[off + partial[i]] &= (byte) partial[i + 1];
    }
  }

  /** {@return true when the mask hides no byte: a bulk copy needs no masking} */
  boolean showsAll() {
    return hidden.length == 0 && partial.length == 0;
  }

  private static int[] hiddenRanges(byte[] bits) {
    List<Integer> ranges = new ArrayList<>();
    for (int i = 0; i < bits.length; i++) {
      if (bits[i] == 0 && (i == 0 || bits[i - 1] != 0)) {
        int j = i;
        while (j < bits.length && bits[j] == 0) {
          j++;
        }
        ranges.add(i);
        ranges.add(j - i);
      }
    }
    return ranges.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] visibleRanges(byte[] bits) {
    List<Integer> ranges = new ArrayList<>();
    for (int i = 0; i < bits.length; i++) {
      if (bits[i] == (byte) 0xFF && (i == 0 || bits[i - 1] != (byte) 0xFF)) {
        int j = i;
        while (j < bits.length && bits[j] == (byte) 0xFF) {
          j++;
        }
        ranges.add(i);
        ranges.add(j - i);
      }
    }
    return ranges.stream().mapToInt(Integer::intValue).toArray();
  }

  /** (offset, readable bits) of the bytes only partly readable (a hidden bitfield's neighbours). */
  private static int[] partialBytes(byte[] bits) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < bits.length; i++) {
      if (bits[i] != 0 && bits[i] != (byte) 0xFF) {
        out.add(i);
        out.add(bits[i] & 0xFF);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
