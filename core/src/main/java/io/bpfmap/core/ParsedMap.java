package io.bpfmap.core;

import io.bpfmap.core.record.RecordLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BpfMap} seen through key and value layouts (the seed's {@code generate_parsers} and
 * {@code want_parsed}): element operations on decoded keys and values. Made by
 * {@link BpfMap#parsed}, which checks the layouts' sizes against the map's. It does not own the
 * map: closing the map closes it.
 *
 * <p>On per-CPU maps the value layout describes one CPU's value: {@link #lookupPerCpu} returns
 * one decoded value per CPU, and {@link #update} writes the same value to every CPU.
 */
public final class ParsedMap {
  private final BpfMap map;
  private final RecordLayout key;
  private final RecordLayout value;

  private ParsedMap(BpfMap map, RecordLayout key, RecordLayout value) {
    this.map = map;
    this.key = key;
    this.value = value;
  }

  /**
   * The map through these layouts: a null one is BTF's; a given one must have the map's size and,
   * unless trusted, agree with BTF where the map has it.
   */
  static ParsedMap of(BpfMap map, RecordLayout key, RecordLayout value, boolean trust) {
    MapBtf btf = map.btf().orElse(null);
    RecordLayout k = layout(map, "key", key, map.keySize(), btf, btf == null ? 0 : btf.keyTypeId(), trust);
    RecordLayout v = layout(map, "value", value, map.info().valueSize(), btf, btf == null ? 0 : btf.valueTypeId(),
        trust);
    return new ParsedMap(map, k, v);
  }

  private static RecordLayout layout(BpfMap map, String role, RecordLayout given, int size, MapBtf btf, int typeId,
      boolean trust) {
    if (given == null) {
      if (typeId == 0) {
        throw new LayoutMismatchException(map.target(), role, "the map has no BTF for its " + role + "s: give a "
            + role + " layout");
      }
      return role.equals("key") ? btf.keyLayout().orElseThrow() : btf.valueLayout().orElseThrow();
    }
    if (given.size() != size) {
      throw new LayoutMismatchException(map.target(), role, "the " + role + " layout is " + given.size()
          + " bytes, the map's " + role + "s are " + size + " bytes");
    }
    if (!trust && typeId != 0) {
      Optional<String> d;
      try {
        d = role.equals("key") ? btf.keyDifference(given) : btf.valueDifference(given);
      } catch (io.bpfmap.core.btf.BtfException noLayoutInBtf) {
        return given;
      }
      d.ifPresent(why -> {
        throw new LayoutMismatchException(map.target(), role, "the " + role + " layout " + why
            + " (trust the layout to use it anyway)");
      });
    }
    return given;
  }

  /** {@return the map this view reads and writes; closing it closes the view too} */
  public BpfMap map() {
    return map;
  }

  /** {@return the layout keys are packed with} */
  public RecordLayout keyLayout() {
    return key;
  }

  /** {@return the layout values are unpacked with: one CPU's value on per-CPU maps} */
  public RecordLayout valueLayout() {
    return value;
  }

  /**
   * {@return the decoded value of key {@code k}; empty when absent}
   * @param k the key's fields by name, as the key layout packs them
   * @throws BpfException on a per-CPU map: use {@link #lookupPerCpu}
   * @throws io.bpfmap.core.record.LayoutException when a key or value does not fit its layout
   */
  public Optional<Map<String, Object>> lookup(Map<String, ?> k) {
    requireSingleValue("lookup");
    return map.lookup(key.pack(k)).map(value::unpack);
  }

  /**
   * {@return per-CPU maps: the decoded value on every possible CPU, in CPU order; empty if absent}
   * @param k the key's fields by name, as the key layout packs them
   * @throws BpfException when the map is not per-CPU
   */
  public Optional<List<Map<String, Object>>> lookupPerCpu(Map<String, ?> k) {
    return map.lookupPerCpu(key.pack(k)).map(values -> {
      List<Map<String, Object>> out = new ArrayList<>(values.size());
      values.forEach(v -> out.add(value.unpack(v)));
      return out;
    });
  }

  /**
   * Creates or replaces the value of key {@code k} ({@link UpdateFlag#ANY}).
   * @param k the key's fields by name, as the key layout packs them
   * @param v the value's fields by name; on a per-CPU map it is written to every CPU
   * @throws io.bpfmap.core.record.LayoutException when a key or value does not fit its layout
   */
  public void update(Map<String, ?> k, Map<String, ?> v) {
    update(k, v, UpdateFlag.ANY);
  }

  /**
   * Writes value {@code v} for key {@code k} as {@code flag} allows, as
   * {@link BpfMap#update(byte[], byte[], UpdateFlag)} does.
   * @param k the key's fields by name, as the key layout packs them
   * @param v the value's fields by name; on a per-CPU map it is written to every CPU
   * @param flag whether the key may be created, replaced or both
   * @throws io.bpfmap.core.record.LayoutException when a key or value does not fit its layout
   */
  public void update(Map<String, ?> k, Map<String, ?> v, UpdateFlag flag) {
    map.update(key.pack(k), value.pack(v), flag);
  }

  /**
   * {@return true when key {@code k} was there and is deleted} Array-like maps refuse (EINVAL).
   * @param k the key's fields by name, as the key layout packs them
   */
  public boolean delete(Map<String, ?> k) {
    return map.delete(key.pack(k));
  }

  /**
   * {@return the decoded value of key {@code k}, which is deleted; empty when absent}
   * @param k the key's fields by name, as the key layout packs them
   * @throws BpfException on a per-CPU map
   * @throws UnsupportedFeatureException where the map type or kernel lacks the operation
   */
  public Optional<Map<String, Object>> lookupAndDelete(Map<String, ?> k) {
    requireSingleValue("lookup and delete");
    return map.lookupAndDelete(key.pack(k)).map(value::unpack);
  }

  private void requireSingleValue(String operation) {
    if (map.info().type().perCpu()) {
      throw new BpfException(operation, map.target(), 0,
          "a per-CPU map has one value per CPU: use lookupPerCpu");
    }
  }
}
