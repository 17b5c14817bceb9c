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

  ParsedMap(BpfMap map, RecordLayout key, RecordLayout value) {
    this.map = map;
    this.key = key;
    this.value = value;
  }

  public BpfMap map() {
    return map;
  }

  public RecordLayout keyLayout() {
    return key;
  }

  public RecordLayout valueLayout() {
    return value;
  }

  public Optional<Map<String, Object>> lookup(Map<String, ?> k) {
    requireSingleValue("lookup");
    return map.lookup(key.pack(k)).map(value::unpack);
  }

  /** Per-CPU maps: the decoded value of every possible CPU, in CPU order. */
  public Optional<List<Map<String, Object>>> lookupPerCpu(Map<String, ?> k) {
    return map.lookupPerCpu(key.pack(k)).map(values -> {
      List<Map<String, Object>> out = new ArrayList<>(values.size());
      values.forEach(v -> out.add(value.unpack(v)));
      return out;
    });
  }

  public void update(Map<String, ?> k, Map<String, ?> v) {
    update(k, v, UpdateFlag.ANY);
  }

  public void update(Map<String, ?> k, Map<String, ?> v, UpdateFlag flag) {
    map.update(key.pack(k), value.pack(v), flag);
  }

  public boolean delete(Map<String, ?> k) {
    return map.delete(key.pack(k));
  }

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
