package io.bpfmap.core;

import io.bpfmap.core.btf.Btf;
import io.bpfmap.core.btf.BtfLayouts;
import io.bpfmap.core.btf.CDecl;
import io.bpfmap.core.btf.KernelBtf;
import io.bpfmap.core.record.RecordLayout;
import java.util.List;
import java.util.Optional;

/**
 * What a map's BTF says about its keys and values ({@code btf_id}, {@code btf_key_type_id},
 * {@code btf_value_type_id} of its info): the types, the layouts read from them, the types as C,
 * and the check of a hand-written layout against them. Made by {@link BpfMap#btf()}; immutable.
 */
public final class MapBtf {
  private final Btf btf;
  private final int keyType;
  private final int valueType;
  private volatile RecordLayout key;
  private volatile RecordLayout value;

  private MapBtf(Btf btf, int keyType, int valueType) {
    this.btf = btf;
    this.keyType = keyType;
    this.valueType = valueType;
  }

  /** The BTF of a map, read from the kernel; null when the map has none. */
  static MapBtf read(MapInfo info) {
    if (info.btfId() == 0 || info.btfKeyTypeId() == 0 && info.btfValueTypeId() == 0) {
      return null;
    }
    return new MapBtf(KernelBtf.byId(info.btfId()), info.btfKeyTypeId(), info.btfValueTypeId());
  }

  /** {@return the map's whole BTF object, as the kernel holds it ({@code btf_id})} */
  public Btf btf() {
    return btf;
  }

  /** {@return the key's type id in {@link #btf()}; 0 when BTF does not describe the key} */
  public int keyTypeId() {
    return keyType;
  }

  /** {@return the value's type id in {@link #btf()}; 0 when BTF does not describe the value} */
  public int valueTypeId() {
    return valueType;
  }

  /**
   * {@return the key layout BTF gives, made once; empty when BTF does not describe the key}
   * @throws io.bpfmap.core.btf.BtfException when the key's type cannot be a layout
   */
  public Optional<RecordLayout> keyLayout() {
    if (keyType == 0) {
      return Optional.empty();
    }
    if (key == null) {
      key = BtfLayouts.layout(btf, keyType, "key");
    }
    return Optional.of(key);
  }

  /**
   * {@return the value layout BTF gives (one CPU's value on per-CPU maps), made once; empty when
   * BTF does not describe the value}
   * @throws io.bpfmap.core.btf.BtfException when the value's type cannot be a layout
   */
  public Optional<RecordLayout> valueLayout() {
    if (valueType == 0) {
      return Optional.empty();
    }
    if (value == null) {
      value = BtfLayouts.layout(btf, valueType, "value");
    }
    return Optional.of(value);
  }

  /**
   * The layout of a named type of the map's BTF (the whole object's types, for a map a loaded
   * object created): what a ring's records are, since a ring's BTF names no value type.
   *
   * @param cType {@code struct NAME}, {@code union NAME} or a typedef's name
   * @return the layout, or empty when the BTF has no such type
   * @throws io.bpfmap.core.btf.BtfException when the type cannot be a layout
   */
  public Optional<RecordLayout> layoutOf(String cType) {
    return BtfLayouts.named(btf, cType);
  }

  /**
   * {@return the key and value types as C source: the definitions they need, each once, then a
   * C comment that names the key's and the value's type ({@code (no BTF)} for one without)}
   */
  public String c() {
    int[] ids = java.util.stream.IntStream.of(keyType, valueType).filter(id -> id != 0).toArray();
    String defs = CDecl.of(btf, ids);
    return (defs.isEmpty() ? "" : defs + "\n\n") + "/* key: " + (keyType == 0 ? "(no BTF)" : typeName(keyType))
        + ", value: " + (valueType == 0 ? "(no BTF)" : typeName(valueType)) + " */";
  }

  /**
   * {@return the first way {@code layout} differs from the BTF key type (its size, or a field's
   * name, offset or size); empty when it agrees or BTF has no key}
   * @param layout a key layout, often written by hand
   * @throws io.bpfmap.core.btf.BtfException when the key's type cannot be a layout
   */
  public Optional<String> keyDifference(RecordLayout layout) {
    return keyType == 0 ? Optional.empty() : difference(layout, keyLayout().orElseThrow(), typeName(keyType));
  }

  /**
   * {@return the first way {@code layout} differs from the BTF value type, as
   * {@link #keyDifference}; empty when it agrees or BTF has no value}
   * @param layout a value layout (one CPU's value on per-CPU maps), often written by hand
   * @throws io.bpfmap.core.btf.BtfException when the value's type cannot be a layout
   */
  public Optional<String> valueDifference(RecordLayout layout) {
    return valueType == 0 ? Optional.empty() : difference(layout, valueLayout().orElseThrow(), typeName(valueType));
  }

  /**
   * The first way {@code layout} differs from what BTF says of type {@code typeId}: its size, a
   * field's name, offset or size; empty when they agree. A record that is not a struct in BTF has
   * no field names to compare, nor has a struct format ({@code =IIHHB3x}: fields f0, f1…): only
   * offsets and sizes count.
   */
  static Optional<String> difference(RecordLayout layout, RecordLayout btf, String typeName) {
    if (layout.size() != btf.size()) {
      return Optional.of("is " + layout.size() + " bytes, BTF's " + typeName + " is " + btf.size());
    }
    List<String> ours = layout.leafPaths();
    List<String> theirs = btf.leafPaths();
    boolean named = !btf.isBare() && !java.util.stream.IntStream.range(0, ours.size())
        .allMatch(i -> ours.get(i).equals("f" + i));
    for (int i = 0; i < Math.max(ours.size(), theirs.size()); i++) {
      if (i >= ours.size()) {
        return Optional.of("has no field for BTF's '" + theirs.get(i) + "' (" + typeName + ")");
      }
      if (i >= theirs.size()) {
        return Optional.of("has a field '" + ours.get(i) + "' that BTF's " + typeName + " lacks");
      }
      String a = ours.get(i);
      String b = theirs.get(i);
      if (named && !a.equals(b)) {
        return Optional.of("names field " + (i + 1) + " '" + a + "', BTF's " + typeName + " names it '" + b + "'");
      }
      if (layout.offsetOf(a) != btf.offsetOf(b) || layout.sizeOf(a) != btf.sizeOf(b)) {
        return Optional.of("puts '" + a + "' at offset " + layout.offsetOf(a) + " (" + layout.sizeOf(a)
            + " bytes), BTF's " + typeName + " at " + btf.offsetOf(b) + " (" + btf.sizeOf(b) + " bytes)");
      }
    }
    return Optional.empty();
  }

  /**
   * {@return how C names a type, as messages do: {@code struct flow_key}, {@code __u32}}
   * @param typeId a type id in {@link #btf()}
   */
  public String typeName(int typeId) {
    return CDecl.name(btf, typeId);
  }
}
