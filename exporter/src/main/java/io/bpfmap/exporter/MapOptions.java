package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import picocli.CommandLine.Option;

/** The layout and mask options shared by the element commands, checked against the open map. */
final class MapOptions {
  @Option(names = "--key-layout", paramLabel = "L", description = "Key layout: JSON/YAML in the seed's notation, a struct format (=QQ), or @file.")
  String keyLayout;

  @Option(names = "--value-layout", paramLabel = "L", description = "Value layout (one CPU's value on per-CPU maps).")
  String valueLayout;

  @Option(names = "--mask", paramLabel = "M", description = "Permission mask in the value layout's shape (R, W, X), or @file; needs --value-layout.")
  String mask;

  RecordLayout key(BpfMap map) {
    RecordLayout l = Inputs.layout("--key-layout", keyLayout);
    if (l != null && l.size() != map.keySize()) {
      throw new CliException("--key-layout: the layout is " + l.size() + " bytes, map '" + map.name()
          + "' has " + map.keySize() + "-byte keys");
    }
    return l;
  }

  RecordLayout value(BpfMap map) {
    RecordLayout l = Inputs.layout("--value-layout", valueLayout);
    if (l != null && l.size() != map.info().valueSize()) {
      throw new CliException("--value-layout: the layout is " + l.size() + " bytes, map '" + map.name()
          + "' has " + map.info().valueSize() + "-byte values");
    }
    return l;
  }

  /** The writer for values: masked when a mask is given. */
  RecordJsonWriter valueWriter(RecordLayout value) {
    CompiledMask compiled = compiledMask(value);
    if (compiled != null) {
      return compiled.jsonWriter();
    }
    return value == null ? null : value.jsonWriter();
  }

  /** The mask compiled against the value layout; null without --mask. */
  CompiledMask compiledMask(RecordLayout value) {
    PermissionMask m = Inputs.mask("--mask", mask);
    if (m == null) {
      return null;
    }
    if (value == null) {
      throw new CliException("--mask needs --value-layout");
    }
    try {
      return m.compile(value);
    } catch (BpfException e) {
      throw new CliException("--mask: " + e.getMessage().replaceFirst("^mask ?", ""), e);
    }
  }

  /**
   * The key layout for a masked write: --key-layout, or the key's bytes as one field {@code key}
   * (so that a hex key still works).
   */
  RecordLayout keyOrRaw(BpfMap map) {
    RecordLayout l = key(map);
    return l != null ? l : RecordLayout.of(java.util.List.of(java.util.List.of("key", map.keySize() + "s")));
  }
}
