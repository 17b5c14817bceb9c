package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "lookup", mixinStandardHelpOptions = true, description = "Print one value as JSON (a list of CPU values on per-CPU maps); exit 1 when the key is absent.",
    footer = {"", "Example:", "  bpfmap lookup /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --key-layout '[[uid, Q], [gid, Q]]' \\",
        "      --value-layout '[[\"data\",\"8Q\"]]' --mask '{\"data\": [\"X\",\"X\",\"R\",\"X\",\"X\",\"X\",\"X\",\"X\"]}'"})
final class LookupCommand implements Callable<Integer> {
  @Mixin
  MapAndKey entry;

  @Mixin
  MapOptions layouts;

  @Override
  public Integer call() {
    try (BpfMap map = entry.map.open(OpenMode.READ_ONLY)) {
      RecordLayout value = layouts.value(map);
      var writer = layouts.valueWriter(value);
      Optional<byte[]> found = map.lookup(Inputs.bytes("--key", entry.key, layouts.key(map)));
      if (found.isEmpty()) {
        System.err.println("bpfmap: no such key in map '" + map.name() + "'");
        return 1;
      }
      System.out.println(new Render().value(writer, MemorySegment.ofArray(found.get()), map.info().valueSize(),
          map.valuesPerKey(), map.valueStride()));
    }
    return 0;
  }
}
