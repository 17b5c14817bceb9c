package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.mask.Permission;
import java.util.List;
import java.util.concurrent.Callable;

final class DeleteCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("delete", "Delete one entry; exit 1 when the key is absent.",
      Command.options(MapAndKey.OPTIONS, MapOptions.OPTIONS), List.of("", "Example:",
          "  bpfmap delete /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --key-layout '[[uid, Q], [gid, Q]]'"),
      DeleteCommand::new);

  private final MapAndKey entry;
  private final MapOptions layouts;

  private DeleteCommand(Args a) {
    entry = new MapAndKey(a);
    layouts = new MapOptions(a);
  }

  @Override
  public Integer call() {
    try (BpfMap map = entry.map.open(OpenMode.READ_WRITE)) {
      mayDelete(map);
      if (!map.delete(Inputs.bytes("--key", entry.key, layouts.key(map)))) {
        System.err.println("bpfmap: no such key in map '" + map.name() + "'");
        return 1;
      }
    }
    return 0;
  }

  /** With --mask: a delete takes the whole value away, so every field must be writable (W). */
  private void mayDelete(BpfMap map) {
    CompiledMask mask = layouts.compiledMask(layouts.value(map));
    if (mask == null) {
      return;
    }
    for (String leaf : mask.layout().leafPaths()) {
      if (mask.permission(leaf) != Permission.W) {
        throw new CliException("delete on map '" + map.name() + "': the mask does not let every field be written ("
            + leaf + ": " + mask.permission(leaf) + "), and a delete takes them all");
      }
    }
  }
}
