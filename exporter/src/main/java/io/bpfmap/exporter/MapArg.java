package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.OpenMode;
import picocli.CommandLine.Parameters;

/** The map a command acts on: a pin path, {@code id:N} or {@code name:NAME}. */
final class MapArg {
  @Parameters(index = "0", paramLabel = "MAP", description = "A pinned map's path, id:N (bpfmap maps lists ids) or name:NAME.")
  String map;

  MapSelector selector() {
    return MapSelector.parse(map);
  }

  BpfMap open(OpenMode mode) {
    return selector().open(mode);
  }
}
