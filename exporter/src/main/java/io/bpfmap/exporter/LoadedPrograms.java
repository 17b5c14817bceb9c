package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfLink;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.record.RecordLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BPF objects of a config's {@code programs:}, loaded and attached: the owner of every object,
 * its maps and links, closed (programs detached) after the pipelines that read their maps. Maps
 * of a loaded object are found by {@code OBJECT/MAP}, or by their map name when one object has it.
 */
final class LoadedPrograms implements AutoCloseable {
  private final Map<String, BpfObject> objects = new LinkedHashMap<>();

  private LoadedPrograms() {}

  /** What loading did to each program, for a check to say: by config name. */
  private final Map<String, String> said = new LinkedHashMap<>();

  /**
   * For the daemon: loads and attaches every program, pins those configured so, and logs what it
   * attached. On any failure, closes those already loaded.
   */
  static LoadedPrograms load(List<SourceConfigs.ProgramConfig> programs) {
    LoadedPrograms loaded = new LoadedPrograms();
    try {
      for (SourceConfigs.ProgramConfig p : programs) {
        loaded.objects.put(p.name(), load(p, LoggerFactory.getLogger(LoadedPrograms.class)));
      }
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
    return loaded;
  }

  /**
   * For a check: loads every program (the kernel verifies it) and finds the programs to attach,
   * without attaching, pinning (pins would replace a running daemon's) or logging.
   */
  static LoadedPrograms verify(List<SourceConfigs.ProgramConfig> programs) {
    LoadedPrograms loaded = new LoadedPrograms();
    try {
      for (SourceConfigs.ProgramConfig p : programs) {
        BpfObject obj = open(p);
        loaded.objects.put(p.name(), obj);
        List<String> names = p.attach() == null ? obj.programs().stream().map(io.bpfmap.core.BpfProgram::name).toList()
            : p.attach();
        for (String n : names) {
          try {
            obj.program(n);
          } catch (BpfException e) {
            throw new CliException(p.at() + ".attach: " + e.getMessage(), e);
          }
        }
        loaded.said.put(p.name(), "ok, loaded and verified by the kernel; the daemon attaches " + (names.isEmpty()
            ? "none" : p.attach() == null ? "those of " + String.join(", ", names) + " that a section attaches"
            : String.join(", ", names)) + " (a check attaches nothing)");
      }
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
    return loaded;
  }

  /** {@return what {@link #verify} found of a program} */
  String said(String program) {
    return said.get(program);
  }

  private static BpfObject open(SourceConfigs.ProgramConfig p) {
    try {
      return BpfObject.open(p.object());
    } catch (BpfException e) {
      throw new CliException(p.at() + ".object: " + e.getMessage(), e);
    }
  }

  private static BpfObject load(SourceConfigs.ProgramConfig p, Logger log) {
    BpfObject obj = open(p);
    try {
      List<BpfLink> links = p.attach() != null && p.attach().isEmpty() ? List.of()
          : obj.attach(p.attach() == null ? List.of() : p.attach());
      if (p.pin() != null) {
        pin(p, obj, links, log);
      }
      List<String> unattached = obj.programs().stream().filter(pr -> links.stream().noneMatch(l -> l.program() == pr))
          .map(pr -> pr.name() + " (section " + pr.section() + ")").toList();
      log.atInfo().addKeyValue("program", p.name()).addKeyValue("attached", links.size())
          .log("program '{}' loaded from {}: {}{}{}", p.name(), p.object(), links.isEmpty() ? "none attached"
              : "attached " + String.join(", ", links.stream().map(l -> l.program().name() + " at "
                  + l.program().section()).toList()),
              unattached.isEmpty() ? "" : "; loaded, not attached: " + String.join(", ", unattached),
              p.pin() == null ? "" : "; pinned in " + p.pin());
      return obj;
    } catch (BpfException e) {
      obj.close();
      throw new CliException((p.pin() == null ? p.at() + ".attach: " : p.at() + ": ") + e.getMessage(), e);
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
  }

  /** Pins maps as {@code pin/maps/NAME} and links as {@code pin/links/NAME}, replacing a previous run's. */
  private static void pin(SourceConfigs.ProgramConfig p, BpfObject obj, List<BpfLink> links, Logger log) {
    Path maps = p.pin().resolve("maps");
    Path linkDir = p.pin().resolve("links");
    int replaced = unpin(maps) + unpin(linkDir);
    if (replaced > 0) {
      log.info("program '{}': removed {} pin(s) of a previous run from {}", p.name(), replaced, p.pin());
    }
    obj.pinMaps(maps);
    try {
      Files.createDirectories(linkDir);
    } catch (IOException e) {
      throw new BpfException("pin", linkDir.toString(), 0, "cannot create the directory (" + e.getMessage() + ")");
    }
    for (BpfLink l : links) {
      l.pin(linkDir.resolve(l.program().name()));
    }
  }

  private static int unpin(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> pins = Files.list(dir)) {
      List<Path> all = pins.toList();
      for (Path pin : all) {
        Files.delete(pin);
      }
      return all.size();
    } catch (IOException e) {
      throw new BpfException("unpin", dir.toString(), 0, "cannot remove a previous run's pins (" + e.getMessage() + ")");
    }
  }

  /**
   * The selector of a map or ring: a loaded object's map by id when {@code OBJECT/MAP} or its map
   * name says so; else {@code selector} as it is.
   */
  MapSelector resolve(MapSelector selector, String at) {
    if (!(selector instanceof MapSelector.Name(String n))) {
      return selector;
    }
    int slash = n.indexOf('/');
    if (slash >= 0) {
      BpfObject obj = objects.get(n.substring(0, slash));
      try {
        return MapSelector.id(obj.map(n.substring(slash + 1)).info().id());
      } catch (BpfException e) {
        throw new CliException(at + ": " + e.getMessage(), e);
      }
    }
    List<String> having = objects.entrySet().stream().filter(e -> e.getValue().mapNames().contains(n))
        .map(Map.Entry::getKey).toList();
    if (having.size() > 1) {
      throw new CliException(at + ": programs " + String.join(" and ", having) + " both have a map '" + n
          + "': write OBJECT/MAP (" + having.getFirst() + "/" + n + ")");
    }
    return having.isEmpty() ? selector : MapSelector.id(objects.get(having.getFirst()).map(n).info().id());
  }

  /** The layout of {@code cType} in the BTF of the loaded object that holds {@code map}. */
  RecordLayout layout(BpfMap map, String cType, String at) {
    for (BpfObject obj : objects.values()) {
      for (String name : obj.mapNames()) {
        if (obj.map(name).info().id() == map.info().id()) {
          try {
            return obj.layout(cType);
          } catch (BpfException e) {
            throw new CliException(at + ": " + e.getMessage(), e);
          }
        }
      }
    }
    throw new CliException(at + ": '" + cType + "' is looked up in the BTF of the program that made the ring, and "
        + "no program of programs: made it: give the layout");
  }

  /** Detaches every program (unless its links are pinned) and closes the objects, last loaded first. */
  @Override
  public void close() {
    List<BpfObject> all = new ArrayList<>(objects.values());
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).close();
    }
    objects.clear();
  }
}
