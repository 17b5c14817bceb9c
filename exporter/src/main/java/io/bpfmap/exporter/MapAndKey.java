package io.bpfmap.exporter;

import java.util.List;

/** The map and the key of the commands that act on one entry. */
final class MapAndKey {
  static final Command.Opt KEY = Command.Opt.value("--key", "K",
      "JSON/YAML in the key's shape (BTF's or --key-layout's), or hex bytes when the map has neither.").asRequired();
  static final List<Command.Opt> OPTIONS = Command.options(MapArg.OPTIONS, List.of(KEY));

  final MapArg map;
  final String key;

  MapAndKey(Args a) {
    map = new MapArg(a);
    key = a.value(KEY);
  }
}
