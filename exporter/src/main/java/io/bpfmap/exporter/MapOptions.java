package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapBtf;
import io.bpfmap.core.btf.BtfException;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;

/** The layout and mask options shared by the element commands, checked against the open map. */
final class MapOptions {
  static final Command.Opt KEY_LAYOUT = Command.Opt.value("--key-layout", "L",
      "Key layout: JSON/YAML in the seed's notation, a struct format (=QQ), or @file. Default: the map's BTF.");
  static final Command.Opt VALUE_LAYOUT = Command.Opt.value("--value-layout", "L",
      "Value layout (one CPU's value on per-CPU maps).");
  static final Command.Opt MASK = Command.Opt.value("--mask", "M", "Permission mask in the value's shape (R, W, X), or @file.");
  static final Command.Opt TRUST_LAYOUT = Command.Opt.flag("--trust-layout",
      "Use --key-layout and --value-layout even where they differ from the map's BTF.");
  static final java.util.List<Command.Opt> OPTIONS = java.util.List.of(KEY_LAYOUT, VALUE_LAYOUT, MASK, TRUST_LAYOUT);

  final String keyLayout;
  final String valueLayout;
  final String mask;
  final boolean trustLayout;

  MapOptions(Args a) {
    keyLayout = a.value(KEY_LAYOUT);
    valueLayout = a.value(VALUE_LAYOUT);
    mask = a.value(MASK);
    trustLayout = a.flag(TRUST_LAYOUT);
  }

  /** The key layout: --key-layout (checked against BTF), else BTF's, else null (hex). */
  RecordLayout key(BpfMap map) {
    return layout(map, "--key-layout", Inputs.layout("--key-layout", keyLayout), map.keySize(), true);
  }

  /** The value layout (one CPU's value on per-CPU maps): --value-layout, else BTF's, else null. */
  RecordLayout value(BpfMap map) {
    return layout(map, "--value-layout", Inputs.layout("--value-layout", valueLayout), map.info().valueSize(), false);
  }

  private RecordLayout layout(BpfMap map, String option, RecordLayout given, int size, boolean key) {
    String role = key ? "key" : "value";
    if (given != null && given.size() != size) {
      throw new CliException(option + ": the layout is " + given.size() + " bytes, map '" + map.name()
          + "' has " + size + "-byte " + role + "s");
    }
    MapBtf btf = map.btf().orElse(null);
    if (btf == null || (key ? btf.keyTypeId() : btf.valueTypeId()) == 0) {
      return given;
    }
    try {
      if (given == null) {
        return key ? btf.keyLayout().orElseThrow() : btf.valueLayout().orElseThrow();
      }
      if (!trustLayout) {
        (key ? btf.keyDifference(given) : btf.valueDifference(given)).ifPresent(d -> {
          throw new CliException(option + ": the layout " + d + " (--trust-layout to use it anyway)");
        });
      }
      return given;
    } catch (BtfException e) {
      if (given != null) {
        return given;
      }
      throw new CliException("map '" + map.name() + "': " + e.getMessage() + ": give " + option, e);
    }
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
      throw new CliException("--mask needs --value-layout (the map has no BTF for its values)");
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
