package io.bpfmap.metrics;

import java.util.Map;

/** A number's name from a table ({@code 6 → tcp}); a number the table lacks stays a number. */
final class EnumDecoder implements LabelDecoder {
  private final Map<Long, String> names;

  EnumDecoder(Map<Long, String> names) {
    this.names = Map.copyOf(names);
  }

  @Override
  public String decode(Object value, byte[] raw) {
    String unsigned = new UnsignedDecoder().decode(value, raw);
    try {
      String name = names.get(Long.parseUnsignedLong(unsigned));
      return name == null ? unsigned : name;
    } catch (NumberFormatException notANumber) {
      return unsigned;
    }
  }
}
