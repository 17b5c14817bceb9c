package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.UpdateFlag;
import io.bpfmap.core.mask.FilteredBpfMap;
import io.bpfmap.core.record.RecordLayout;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

final class UpdateCommand implements Callable<Integer> {
  static final Command.Opt VALUE = Command.Opt.value("--value", "V",
      "JSON/YAML in the value's shape (BTF's or --value-layout's), or hex bytes when the map has neither.").asRequired();
  static final Command.Opt FLAG = Command.Opt.value("--flag", "FLAG", "any | noexist | exist").orElse("any");
  static final Command COMMAND = new Command("update",
      "Create or replace one entry (per-CPU maps: the value goes to every CPU).",
      Command.options(MapAndKey.OPTIONS, List.of(VALUE, FLAG), MapOptions.OPTIONS), List.of("", "Examples:",
          "  bpfmap update /sys/fs/bpf/flows --key 0102030405060708090a0b0c0d0e0f00 --value 00…",
          "  bpfmap update /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --value '{\"data\": [1,2,3,4,5,6,7,8]}' \\",
          "      --key-layout '[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]' --value-layout '[[\"data\",\"8Q\"]]' --flag noexist"),
      UpdateCommand::new);

  private final MapAndKey entry;
  private final String value;
  private final String flag;
  private final MapOptions layouts;

  private UpdateCommand(Args a) {
    entry = new MapAndKey(a);
    value = a.value(VALUE);
    flag = a.value(FLAG);
    layouts = new MapOptions(a);
  }

  @Override
  public Integer call() {
    UpdateFlag f;
    try {
      f = UpdateFlag.valueOf(flag.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException("--flag: '" + flag + "' is not any, noexist or exist");
    }
    if (layouts.mask != null) {
      return masked(f);
    }
    try (BpfMap map = entry.map.open(OpenMode.READ_WRITE)) {
      byte[] k = Inputs.bytes("--key", entry.key, layouts.key(map));
      byte[] v = Inputs.bytes("--value", value, layouts.value(map));
      map.update(k, v, f);
    }
    return 0;
  }

  /**
   * With --mask, through the same code as {@link FilteredBpfMap}: the value may set only W fields
   * (it may name just those), the others are kept as they are in the kernel, and a field the mask
   * does not let be written refuses the whole update.
   */
  private int masked(UpdateFlag f) {
    RecordLayout keyLayout;
    RecordLayout valueLayout;
    byte[] k;
    try (BpfMap map = entry.map.open(OpenMode.READ_ONLY)) {
      valueLayout = layouts.value(map);
      layouts.compiledMask(valueLayout);
      keyLayout = layouts.keyOrRaw(map);
      k = Inputs.bytes("--key", entry.key, layouts.key(map));
      if (f == UpdateFlag.NOEXIST && map.lookup(k).isPresent()) {
        throw new CliException("--flag noexist: the key is already in map '" + map.name() + "'");
      }
    }
    Map<String, ?> changes = valueLayout.isBare() ? valueLayout.fieldsOf(Inputs.tree("--value", Inputs.text("--value",
        value))) : Inputs.object("--value", value);
    try (FilteredBpfMap filtered = FilteredBpfMap.open(entry.map.selector(), Inputs.mask("--mask", layouts.mask), keyLayout,
        valueLayout, f != UpdateFlag.EXIST, false, layouts.trustLayout)) {
      filtered.update(keyLayout.unpack(k), changes);
    } catch (io.bpfmap.core.record.LayoutException e) {  // the key fit above: the value does not
      throw new CliException("--value: " + e.getMessage(), e);
    }
    return 0;
  }
}
