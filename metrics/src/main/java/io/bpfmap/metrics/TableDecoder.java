package io.bpfmap.metrics;

import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A number's name from a table of the system that changes as the system does (cgroups,
 * interfaces, disks), read again when a number is not found, at most once a second. A number the
 * table lacks is unknown, shown as {@code fallback} says.
 */
class TableDecoder implements LabelDecoder {
  private static final long RESCAN_NANOS = 1_000_000_000L;
  private final String what;
  private final SystemTable<Map<Long, String>> names;
  private final LongFunction<String> fallback;
  private final int[] sizes;

  /**
   * @param what the decoder's name, for errors
   * @param read reads the table
   * @param fallback the label of an unknown number
   * @param sizes the field sizes the decoder reads
   */
  TableDecoder(String what, Supplier<Map<Long, String>> read, LongFunction<String> fallback, int... sizes) {
    this.what = what;
    this.names = new SystemTable<>(read, RESCAN_NANOS);
    this.fallback = fallback;
    this.sizes = sizes;
  }

  @Override
  public String decode(Object value, byte[] raw) {
    long n = LabelDecoder.number(value, what);
    String name = names.find(m -> m.get(n));
    if (name == null) {
      throw new UnknownValue(fallback.apply(n));
    }
    return name;
  }

  @Override
  public String refuses(int bytes) {
    for (int s : sizes) {
      if (s == bytes) {
        return null;
      }
    }
    return sizes.length == 1 ? LabelDecoder.needs(what, sizes[0], bytes)
        : what + " needs a 4- or 8-byte field, got " + bytes + " bytes";
  }
}
