package io.bpfmap.core;

import java.util.regex.Pattern;

/**
 * What {@link BpfMap#create} makes: type, name, sizes and {@link MapFlags}. The compact constructor
 * refuses what the kernel would refuse with a bare EINVAL, naming the bad part.
 *
 * @param type the map type; not null, not {@link MapType#UNSPEC}
 * @param name the kernel name: up to 15 letters, digits, '_' and '.'; may be empty
 * @param keySize bytes of a key, not negative; 0 for maps without keys (queue, stack)
 * @param valueSize bytes of a value (of one CPU's value on per-CPU maps), not negative
 * @param maxEntries the most entries the map holds, not negative
 * @param flags {@link MapFlags} bits
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
  /** Kernel map names: up to 15 characters of letters, digits, '_' and '.'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{0,15}");

  /**
   * Checks the spec as described above; the kernel still checks what depends on the type.
   * @throws BpfException naming what is wrong: a missing type, a bad name or a negative size
   */
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

  /**
   * {@return a spec with no flags}
   * @param type the map type
   * @param name the kernel name: up to 15 letters, digits, '_' and '.'
   * @param keySize bytes of a key
   * @param valueSize bytes of a value (one CPU's value on per-CPU maps)
   * @param maxEntries the most entries the map holds
   * @throws BpfException as the canonical constructor
   */
  public static MapSpec of(MapType type, String name, int keySize, int valueSize, int maxEntries) {
    return new MapSpec(type, name, keySize, valueSize, maxEntries, 0);
  }

  /**
   * {@return the same spec with these {@link MapFlags} added to its flags}
   * @param more flag bits to set, e.g. {@code MapFlags.NO_PREALLOC | MapFlags.ZERO_SEED}
   */
  public MapSpec withFlags(int more) {
    return new MapSpec(type, name, keySize, valueSize, maxEntries, flags | more);
  }

  private static BpfException invalid(String name, String detail) {
    return new BpfException("create map", "map '" + name + "'", 0, detail);
  }
}
