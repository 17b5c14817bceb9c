package io.bpfmap.metrics;

import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordLayout;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Label values from fields of a record: a map's key fields, or the fields of a ring's events that
 * a configuration names. Each field is decoded by its configured {@link LabelDecoder}, else by its
 * layout: enums by name (BTF), strings and chars as C strings, numbers in decimal as their
 * signedness says.
 */
final class Labels {
  private final String[] names;
  private final FieldAccessor[] numbers;
  private final int[] offsets;
  private final int[] sizes;
  private final LabelDecoder[] decoders;
  /** The names of enum fields (from BTF), by value; null for other fields. */
  private final Map<Long, String>[] enums;
  /** Values each label's decoder had no name for. */
  private final LongAdder[] unknown;

  /**
   * Labels from {@code fields} of {@code layout}.
   *
   * @throws IllegalArgumentException when a decoder cannot read its field; {@code owner} starts
   *     the message ({@code map 'flows'})
   */
  @SuppressWarnings("unchecked")
  Labels(RecordLayout layout, List<String> fields, Map<String, LabelDecoder> configured, String owner) {
    int n = fields.size();
    names = fields.stream().map(Labels::name).toArray(String[]::new);
    numbers = new FieldAccessor[n];
    offsets = new int[n];
    sizes = new int[n];
    decoders = new LabelDecoder[n];
    enums = new Map[n];
    unknown = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      String p = fields.get(i);
      offsets[i] = layout.offsetOf(p);
      sizes[i] = layout.sizeOf(p);
      numbers[i] = "sPpcx".indexOf(layout.letterOf(p)) >= 0 ? null : layout.accessor(p);
      decoders[i] = configured.get(p);
      String refused = decoders[i] == null ? null : decoders[i].refuses(sizes[i]);
      if (refused != null) {
        throw new IllegalArgumentException("label field '" + p + "' of " + owner + ": " + refused);
      }
      enums[i] = layout.enumNames(p);
      unknown[i] = new LongAdder();
    }
  }

  /** {@return the Prometheus label names: the field paths with dots and brackets as underscores} */
  String[] names() {
    return names;
  }

  /**
   * The label values of the record at {@code record}, plus the CPU when {@code cpu >= 0}; null
   * when a decoder drops the record's series (an allow-list, or an unknown value it drops): the
   * fields after it are not decoded then.
   */
  List<String> values(MemorySegment record, int cpu) {
    List<String> out = new ArrayList<>(names.length + 1);
    for (int i = 0; i < names.length; i++) {
      FieldAccessor n = numbers[i];
      byte[] raw = record.asSlice(offsets[i], sizes[i]).toArray(ValueLayout.JAVA_BYTE);
      if (decoders[i] != null) {
        // not one conditional expression: with a long and a double operand, Java makes both a double
        Object value;
        if (n == null) {
          value = raw;
        } else if (n.floating()) {
          value = n.getDouble(record, 0);
        } else {
          value = n.getLong(record, 0);
        }
        String label;
        try {
          label = decoders[i].decode(value, raw);
        } catch (UnknownValue u) {
          unknown[i].increment();
          label = u.fallback();
        }
        if (label == null) {
          return null;
        }
        out.add(label);
      } else if (enums[i] != null) {
        long v = n.getLong(record, 0);
        String name = enums[i].get(v);
        out.add(name != null ? name : n.signed() ? Long.toString(v) : Long.toUnsignedString(v));
      } else if (n == null) {
        out.add(new CStringDecoder().decode(raw, raw));
      } else if (n.floating()) {
        out.add(Double.toString(n.getDouble(record, 0)));
      } else {
        out.add(n.signed() ? Long.toString(n.getLong(record, 0)) : Long.toUnsignedString(n.getLong(record, 0)));
      }
    }
    if (cpu >= 0) {
      out.add(Integer.toString(cpu));
    }
    return out;
  }

  /**
   * Registers {@code bpfmap.labels.unknown} ({@code map}, {@code label}) for each label with a
   * decoder: the values it had no name for.
   *
   * @return the meters, for the owner to remove on close
   */
  List<Meter> bindUnknown(MeterRegistry registry, String map) {
    List<Meter> meters = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (decoders[i] != null) {
        meters.add(FunctionCounter.builder("bpfmap.labels.unknown", unknown[i], LongAdder::sum).tag("map", map)
            .tag("label", names[i]).description("Label values a decoder had no name for (shown as numbers, or "
                + "their series dropped)").register(registry));
      }
    }
    return meters;
  }

  private static String name(String path) {
    return path.replace('.', '_').replace("[", "_").replace("]", "");
  }
}
