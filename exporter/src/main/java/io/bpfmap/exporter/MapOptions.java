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
    PermissionMask m = Inputs.mask("--mask", mask);
    if (m == null) {
      return value == null ? null : value.jsonWriter();
    }
    if (value == null) {
      throw new CliException("--mask needs --value-layout");
    }
    try {
      CompiledMask compiled = m.compile(value);
      return compiled.jsonWriter();
    } catch (BpfException e) {
      throw new CliException("--mask: " + e.getMessage().replaceFirst("^mask ?", ""), e);
    }
  }
}
