package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.bpfmap.core.internal.libbpf.Libbpf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The maps of the running kernel, as {@code bpftool map list} shows them: every map by id
 * ({@code BPF_MAP_GET_NEXT_ID}), and where each is pinned on bpffs. Opening maps by id needs
 * CAP_SYS_ADMIN (root).
 */
public final class KernelMaps {
  /** Where bpffs is mounted by convention; pins are looked for under it. */
  public static final Path BPFFS = Path.of("/sys/fs/bpf");

  private KernelMaps() {}

  /**
   * A map and the paths it is pinned at.
   *
   * @param info the map's info, as {@link #list()} read it
   * @param pins the paths under {@link #BPFFS} that pin it, in path order; empty when none
   */
  public record Listed(MapInfo info, List<Path> pins) {}

  /**
   * {@return the info of every map of the system, in id order; maps that vanish while listed are
   * left out} Each map is opened by id for a moment (read-only where libbpf allows it).
   * @throws BpfPermissionException without CAP_SYS_ADMIN (root)
   * @throws NativeUnavailableException when libbpf cannot be loaded
   */
  public static List<MapInfo> list() {
    Libbpf.ensureAvailable();
    List<MapInfo> out = new ArrayList<>();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment next = a.allocate(JAVA_INT);
      int id = 0;
      while (true) {
        int rc = Libbpf.mapGetNextId(id, next);
        if (rc == -Errno.ENOENT) {
          return out;
        }
        if (rc < 0) {
          throw -rc == Errno.EPERM || -rc == Errno.EACCES
              ? new BpfPermissionException("list maps", "", -rc, "the process needs CAP_SYS_ADMIN or root")
              : new BpfException("list maps", "", -rc, "");
        }
        id = next.get(JAVA_INT, 0);
        try (BpfMap m = BpfMap.openById(id, Libbpf.canOpenByIdReadOnly() ? OpenMode.READ_ONLY : OpenMode.READ_WRITE)) {
          out.add(m.info());
        } catch (MapNotFoundException goneMeanwhile) {
          // freed between the two calls: not listed
        }
      }
    }
  }

  /**
   * {@return every map, as {@link #list()}, with its pins under {@link #BPFFS}}
   * @throws BpfPermissionException without CAP_SYS_ADMIN (root)
   */
  public static List<Listed> listWithPins() {
    Map<Integer, List<Path>> pins = pins(BPFFS);
    return list().stream().map(i -> new Listed(i, pins.getOrDefault(i.id(), List.of()))).toList();
  }

  /**
   * {@return the maps with this kernel name, in id order; empty when none}
   * @param name a map name; the kernel keeps 15 characters of a name, so longer ones match on those
   * @throws BpfPermissionException without CAP_SYS_ADMIN (root)
   */
  public static List<MapInfo> named(String name) {
    String kept = name.length() > 15 ? name.substring(0, 15) : name;
    return list().stream().filter(i -> i.name().equals(kept)).toList();
  }

  /**
   * {@return map id → the paths under {@code root} that pin it, in path order} Files that are no
   * map pin, or that this process may not open, are skipped; never throws for them.
   * @param root a directory on bpffs, walked recursively; an empty map when it is no directory
   */
  public static Map<Integer, List<Path>> pins(Path root) {
    Map<Integer, List<Path>> out = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(Files::isRegularFile).sorted().forEach(p -> {
        try (BpfMap m = BpfMap.openPinned(p, OpenMode.READ_ONLY)) {
          out.computeIfAbsent(m.info().id(), k -> new ArrayList<>()).add(p);
        } catch (BpfException notAMapOrNotOurs) {
          // a program, a link, or no permission: not a map pin we can list
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      // bpffs changed while walked: what was found is the answer
    }
    return out;
  }
}
