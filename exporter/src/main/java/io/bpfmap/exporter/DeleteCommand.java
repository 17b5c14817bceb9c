package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one entry; exit 1 when the key is absent.",
    footer = {"", "Example:", "  bpfmap delete /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --key-layout '=QQ'"})
final class DeleteCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PIN")
  Path pin;

  @Option(names = "--key", required = true, paramLabel = "K")
  String key;

  @Mixin
  MapOptions layouts;

  @Override
  public Integer call() {
    try (BpfMap map = BpfMap.openPinned(pin)) {
      if (!map.delete(Inputs.bytes("--key", key, layouts.key(map)))) {
        System.err.println("bpfmap: no such key in map '" + map.name() + "'");
        return 1;
      }
    }
    return 0;
  }
}
