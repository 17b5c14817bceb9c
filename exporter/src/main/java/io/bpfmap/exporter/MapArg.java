package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.OpenMode;
import java.util.List;

/** The map a command acts on: a pin path, {@code id:N} or {@code name:NAME}. */
final class MapArg {
  static final Command.Opt MAP = Command.Opt.param("MAP", "A pinned map's path, id:N (bpfmap maps lists ids) or name:NAME.");
  static final List<Command.Opt> OPTIONS = List.of(MAP);

  final String map;

  MapArg(Args a) {
    map = a.param(MAP);
  }

  MapSelector selector() {
    return MapSelector.parse(map);
  }

  BpfMap open(OpenMode mode) {
    return selector().open(mode);
  }
}
