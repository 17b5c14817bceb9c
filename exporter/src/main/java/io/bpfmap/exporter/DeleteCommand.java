package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one entry; exit 1 when the key is absent.",
    footer = {"", "Example:", "  bpfmap delete /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --key-layout '[[uid, Q], [gid, Q]]'"})
final class DeleteCommand implements Callable<Integer> {
  @Mixin
  PinAndKey entry;

  @Mixin
  MapOptions layouts;

  @Override
  public Integer call() {
    try (BpfMap map = BpfMap.openPinned(entry.pin)) {
      if (!map.delete(Inputs.bytes("--key", entry.key, layouts.key(map)))) {
        System.err.println("bpfmap: no such key in map '" + map.name() + "'");
        return 1;
      }
    }
    return 0;
  }
}
