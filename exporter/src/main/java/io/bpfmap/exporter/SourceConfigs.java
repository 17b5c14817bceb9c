package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.metrics.LabelDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code programs:} and {@code rings:} sections of a config: BPF objects the daemon loads and
 * attaches, and the ring buffers and perf event arrays it streams beside maps.
 */
final class SourceConfigs {
  private SourceConfigs() {}

  /**
   * A BPF object to load: {@code attach} names its programs to attach (null: all of them; empty:
   * none); {@code pin} a bpffs directory where its maps ({@code pin/maps/NAME}) and links
   * ({@code pin/links/NAME}) are pinned, so that they outlive the daemon (null: not pinned).
   */
  record ProgramConfig(String name, Path object, List<String> attach, Path pin, String at) {}

  /**
   * A ring to stream: where it is found (a {@code kernel-name}, which may be {@code OBJECT/MAP} of
   * a loaded program, a pin or an id); its record layout, or {@code valueType} ({@code struct x})
   * to find in its program's BTF; an optional map where the program counts reserve failures.
   */
  record RingConfig(String name, MapSelector selector, RecordLayout value, String valueType, PermissionMask mask,
      String lostCounter, int perfPages, Map<String, LabelDecoder> labels, int maxSeries, String at) {}

  static List<ProgramConfig> programs(Object tree) {
    if (tree == null) {
      return List.of();
    }
    if (!(tree instanceof List<?> list)) {
      throw new CliException("programs: expected a list of {object, attach, pin}");
    }
    List<ProgramConfig> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "programs[" + i + "]";
      Map<String, Object> m = YamlValues.object(list.get(i), at);
      YamlValues.keys(m, at, Set.of("name", "object", "attach", "pin"));
      Path object = Path.of(YamlValues.string(YamlValues.required(m, "object", at), at + ".object"));
      String name = m.containsKey("name") ? YamlValues.string(m.get("name"), at + ".name")
          : object.getFileName().toString().replaceFirst("(\\.bpf)?\\.o$", "");
      if (name.isEmpty() || name.contains("/")) {
        throw new CliException(at + ".name: '" + BpfException.show(name) + "' cannot name a program (no '/', not empty)");
      }
      Integer before = names.putIfAbsent(name, i);
      if (before != null) {
        throw new CliException(at + ".name: '" + name + "' is already the name of programs[" + before
            + "] (set name: to tell them apart)");
      }
      out.add(new ProgramConfig(name, object, attach(m.get("attach"), at + ".attach"),
          m.get("pin") == null ? null : Path.of(YamlValues.string(m.get("pin"), at + ".pin")), at));
    }
    return List.copyOf(out);
  }

  private static List<String> attach(Object v, String at) {
    if (v == null || "all".equals(v)) {
      return null;
    }
    if (!(v instanceof List<?> list)) {
      throw new CliException(at + ": expected all, or a list of program names, got '" + BpfException.show(v) + "'");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      names.add(YamlValues.string(list.get(i), at + "[" + i + "]"));
    }
    return List.copyOf(names);
  }

  static List<RingConfig> rings(Object tree, Set<String> programs) {
    if (tree == null) {
      return List.of();
    }
    if (!(tree instanceof List<?> list)) {
      throw new CliException("rings: expected a list of rings");
    }
    List<RingConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(ring(list.get(i), "rings[" + i + "]", programs));
    }
    return List.copyOf(out);
  }

  private static RingConfig ring(Object tree, String at, Set<String> programs) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("name", "pin", "id", "kernel-name", "value", "mask", "lost-counter", "perf-pages",
        "labels", "max-series"));
    String name = YamlValues.string(YamlValues.required(m, "name", at), at + ".name");
    MapSelector selector = m.get("pin") == null && m.get("id") == null && m.get("kernel-name") == null
        ? MapSelector.name(name) : Config.selector(m, at);
    checkObjectMap(selector, at + ".kernel-name", programs);
    Object value = YamlValues.required(m, "value", at);
    String valueType = value instanceof String s && (s.strip().startsWith("struct ") || s.strip().startsWith("union "))
        ? s.strip() : null;
    RecordLayout layout;
    try {
      layout = valueType != null ? null : Config.layout(value, at + ".value");
    } catch (CliException e) {
      if (value instanceof String v && v.strip().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new CliException(e.getMessage() + " (a type of the program's BTF is written 'struct " + v.strip()
            + "')", e);
      }
      throw e;
    }
    PermissionMask mask = Config.mask(m, at);
    String lost = m.get("lost-counter") == null ? null : YamlValues.string(m.get("lost-counter"), at + ".lost-counter");
    if (lost != null) {
      checkObjectMap(MapSelector.name(lost), at + ".lost-counter", programs);
    }
    int pages = m.containsKey("perf-pages") ? YamlValues.integer(m.get("perf-pages"), at + ".perf-pages", 1) : 64;
    if (Integer.bitCount(pages) != 1) {
      throw new CliException(at + ".perf-pages: must be a power of two, got " + pages);
    }
    Map<String, LabelDecoder> labels = new LinkedHashMap<>();
    if (m.get("labels") != null) {
      YamlValues.object(m.get("labels"), at + ".labels").forEach((field, decoder) -> {
        try {
          labels.put(field, decoder == null || "auto".equals(decoder) ? null : LabelDecoder.of(decoder));
        } catch (IllegalArgumentException e) {
          throw new CliException(at + ".labels." + field + ": " + e.getMessage(), e);
        }
      });
    }
    int maxSeries = m.containsKey("max-series") ? YamlValues.integer(m.get("max-series"), at + ".max-series", 1) : 10_000;
    return new RingConfig(name, selector, layout, valueType, mask, lost, pages, labels, maxSeries, at);
  }

  /** An {@code OBJECT/MAP} name must name a configured program. */
  static void checkObjectMap(MapSelector selector, String at, Set<String> programs) {
    if (selector instanceof MapSelector.Name(String n) && n.contains("/")) {
      String object = n.substring(0, n.indexOf('/'));
      if (!programs.contains(object)) {
        throw new CliException(at + ": '" + BpfException.show(n) + "' names a map of program '" + BpfException.show(object)
            + "', which programs: does not load" + (programs.isEmpty() ? "" : " (it loads " + String.join(", ",
                new java.util.TreeSet<>(programs)) + ")"));
      }
    }
  }
}
