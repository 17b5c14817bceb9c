package io.bpfmap.core;

import java.util.regex.Pattern;

/**
 * What {@link BpfMap#create} makes: type, name, sizes and {@link MapFlags}. The compact constructor
 * refuses what the kernel would refuse with a bare EINVAL, naming the bad part.
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
  /** Kernel map names: up to 15 characters of letters, digits, '_' and '.'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");

  public MapSpec {
    if (type == null || type == MapType.UNSPEC) {
      throw invalid(name, "map type is required");
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid(name, "map name '" + name
          + "' must be at most 15 characters of letters, digits, '_' and '.'");
    }
    if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
      throw invalid(name, "key size, value size and max entries must not be negative (got "
          + keySize + ", " + valueSize + ", " + maxEntries + ")");
    }
  }

  public static MapSpec of(MapType type, String name, int keySize, int valueSize, int maxEntries) {
    return new MapSpec(type, name, keySize, valueSize, maxEntries, 0);
  }

  /** The same spec with these {@link MapFlags} added. */
  public MapSpec withFlags(int more) {
    return new MapSpec(type, name, keySize, valueSize, maxEntries, flags | more);
  }

  private static BpfException invalid(String name, String detail) {
    return new BpfException("create map", "map '" + name + "'", 0, detail);
  }
}
