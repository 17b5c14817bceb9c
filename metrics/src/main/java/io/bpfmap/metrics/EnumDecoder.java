package io.bpfmap.metrics;

import java.util.Map;

/**
 * A number's name from a table given in the configuration ({@code 6 → tcp}); a number the table
 * lacks is unknown: kept as its number, or its series dropped, as configured.
 */
final class EnumDecoder implements LabelDecoder {
  private final Map<Long, String> names;
  private final boolean keepUnknown;

  EnumDecoder(Map<Long, String> names, boolean keepUnknown) {
    this.names = Map.copyOf(names);
    this.keepUnknown = keepUnknown;
  }

  @Override
  public String decode(Object value, byte[] raw) {
    String unsigned = value instanceof String s ? s : new UnsignedDecoder().decode(value, raw);
    String name = null;
    try {
      name = names.get(Long.parseUnsignedLong(unsigned));
    } catch (NumberFormatException notANumber) {
      // unknown
    }
    if (name == null) {
      throw new UnknownValue(keepUnknown ? unsigned : null);
    }
    return name;
  }
}
