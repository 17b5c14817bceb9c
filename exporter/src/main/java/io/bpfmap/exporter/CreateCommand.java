package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapFlags;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a map and pin it; prints its info.",
    footer = {"", "Example:", "  bpfmap create --type hash --name flows --key-size 16 --value-size 64 --max-entries 256 --pin /sys/fs/bpf/flows"})
final class CreateCommand implements Callable<Integer> {
  @Option(names = "--type", required = true, description = "Map type: hash, array, percpu_hash, lru_hash, …")
  String type;

  @Option(names = "--name", required = true, description = "Map name (up to 15 characters).")
  String name;

  @Option(names = "--key-size", required = true)
  int keySize;

  @Option(names = "--value-size", required = true)
  int valueSize;

  @Option(names = "--max-entries", required = true)
  int maxEntries;

  @Option(names = "--flags", split = ",", description = "Map flags: no_prealloc, mmapable, …")
  String[] flags = {};

  @Option(names = "--pin", required = true, description = "Where to pin it on bpffs.")
  Path pin;

  @Override
  public Integer call() {
    int f = 0;
    for (String flag : flags) {
      f |= MapFlags.parse(flag);
    }
    try (BpfMap map = BpfMap.create(new MapSpec(MapType.parse(type), name, keySize, valueSize, maxEntries, f))) {
      map.pin(pin);
      System.out.println(new Render().info(map.info(), null, null));
    }
    return 0;
  }
}
