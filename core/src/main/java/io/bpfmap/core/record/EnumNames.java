package io.bpfmap.core.record;

import java.util.Arrays;
import java.util.Map;

/**
 * An enum's names by value, for the hot path: indexed by value when the values are small (0 to
 * 63, as most enums' are), else values sorted in a {@code long[]} (searched without boxing); the
 * names' JSON text is quoted and escaped once.
 */
final class EnumNames {
  private static final int DENSE = 64;
  private final long[] values;
  private final String[] names;
  private final byte[][] json;
  /** Names and JSON by value, when every value is in 0..63; else null. */
  private final String[] denseNames;
  private final byte[][] denseJson;

  EnumNames(Map<Long, String> byValue) {
    values = byValue.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    names = new String[values.length];
    json = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      names[i] = byValue.get(values[i]);
      json[i] = new JsonOut().string(names[i]).take();
    }
    boolean small = values.length > 0 && values[0] >= 0 && values[values.length - 1] < DENSE;
    denseNames = small ? new String[(int) values[values.length - 1] + 1] : null;
    denseJson = small ? new byte[denseNames.length][] : null;
    for (int i = 0; small && i < values.length; i++) {
      denseNames[(int) values[i]] = names[i];
      denseJson[(int) values[i]] = json[i];
    }
  }

  /** The name of {@code v}, or null. */
  String name(long v) {
    if (denseNames != null) {
      return v >= 0 && v < denseNames.length ? denseNames[(int) v] : null;
    }
    int i = Arrays.binarySearch(values, v);
    return i < 0 ? null : names[i];
  }

  /** The name of {@code v} as a JSON string, or null. */
  byte[] json(long v) {
    if (denseJson != null) {
      return v >= 0 && v < denseJson.length ? denseJson[(int) v] : null;
    }
    int i = Arrays.binarySearch(values, v);
    return i < 0 ? null : json[i];
  }
}
