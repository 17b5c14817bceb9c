package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

final class LookupCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("lookup",
      "Print one value as JSON (a list of CPU values on per-CPU maps); exit 1 when the key is absent.",
      Command.options(MapAndKey.OPTIONS, MapOptions.OPTIONS), List.of("", "Example:",
          "  bpfmap lookup /sys/fs/bpf/t --key '{\"uid\": 1, \"gid\": 2}' --key-layout '[[uid, Q], [gid, Q]]' \\",
          "      --value-layout '[[\"data\",\"8Q\"]]' --mask '{\"data\": [\"X\",\"X\",\"R\",\"X\",\"X\",\"X\",\"X\",\"X\"]}'"),
      LookupCommand::new);

  private final MapAndKey entry;
  private final MapOptions layouts;

  private LookupCommand(Args a) {
    entry = new MapAndKey(a);
    layouts = new MapOptions(a);
  }

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
