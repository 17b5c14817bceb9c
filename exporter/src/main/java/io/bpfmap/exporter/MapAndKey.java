package io.bpfmap.exporter;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The map and the key of the commands that act on one entry. */
final class MapAndKey {
  @Mixin
  MapArg map;

  @Option(names = "--key", required = true, paramLabel = "K",
      description = "JSON/YAML in the key's shape (BTF's or --key-layout's), or hex bytes when the map has neither.")
  String key;
}
