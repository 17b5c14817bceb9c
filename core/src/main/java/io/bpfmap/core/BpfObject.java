package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.ElfObjects;
import io.bpfmap.core.internal.libbpf.Libbpf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BPF ELF object (what {@code clang -target bpf -g} makes) opened and loaded by libbpf: its maps
 * are created with their BTF and its programs loaded. Its maps are {@link BpfMap}s by name, owned
 * by this object: {@link #close()} closes them with it (pin a map, or open it by id, to keep it).
 * Thread-safe for reading maps; close once.
 */
public final class BpfObject implements AutoCloseable {
  private final String name;
  private final MemorySegment object;
  private final Arena elf;
  private final Map<String, BpfMap> maps = new LinkedHashMap<>();
  private boolean closed;

  private BpfObject(String name, MemorySegment object, Arena elf) {
    this.name = name;
    this.object = object;
    this.elf = elf;
  }

  /** Opens and loads the object in {@code path}. */
  public static BpfObject open(Path path) {
    Libbpf.ensureAvailable();
    if (!Files.isRegularFile(path)) {
      throw new BpfException("open BPF object", path.toString(), Errno.ENOENT,
          Files.isDirectory(path) ? "it is a directory" : "no such file");
    }
    Arena a = Arena.ofShared();
    List<String> said = new ArrayList<>();
    ElfObjects.Opened o = ElfObjects.logged(said, () -> ElfObjects.openFile(a.allocateFrom(path.toString())));
    return load(path.toString(), o, a, said);
  }

  /** Opens and loads an object from its bytes; {@code name} names it (libbpf's object name). */
  public static BpfObject open(byte[] elfBytes, String name) {
    Libbpf.ensureAvailable();
    Arena a = Arena.ofShared();
    MemorySegment bytes = a.allocate(Math.max(1, elfBytes.length));
    MemorySegment.copy(elfBytes, 0, bytes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, elfBytes.length);
    List<String> said = new ArrayList<>();
    ElfObjects.Opened o = ElfObjects.logged(said,
        () -> ElfObjects.openMem(bytes.asSlice(0, elfBytes.length), a.allocateFrom(name)));
    return load(name, o, a, said);
  }

  private static BpfObject load(String target, ElfObjects.Opened o, Arena a, List<String> said) {
    if (o.object() == null) {
      a.close();
      throw failure("open BPF object", target, o.errno(), said);
    }
    int rc = ElfObjects.logged(said, () -> ElfObjects.load(o.object()));
    if (rc < 0) {
      ElfObjects.close(o.object());
      a.close();
      throw failure("load BPF object", target, -rc, said);
    }
    BpfObject obj = new BpfObject(target, o.object(), a);
    try {
      for (MemorySegment m : ElfObjects.maps(o.object())) {
        int fd = ElfObjects.mapFd(m);
        if (fd >= 0) {
          int own = Libbpf.dup(fd);
          if (own < 0) {
            throw new BpfException("open BPF object", target, -own, "cannot hold map " + ElfObjects.mapName(m));
          }
          obj.maps.put(ElfObjects.mapName(m), BpfMap.adopt(own, OpenMode.READ_WRITE));
        }
      }
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
    return obj;
  }

  /** One line from what libbpf said: its last warning names the cause (a libbpf errno, 4000 and up, is named too). */
  private static BpfException failure(String operation, String target, int errno, List<String> said) {
    String libbpfErrno = errno >= 4000 && errno < 4100 ? LIBBPF_ERRNO.getOrDefault(errno, "") : "";
    String last = said.isEmpty() ? "" : said.getLast().replaceFirst("^libbpf: ", "");
    String detail = String.join(": ", List.of(libbpfErrno, last).stream().filter(s -> !s.isEmpty()).toList());
    return new BpfException(operation, target, errno >= 4000 ? 0 : errno, detail.isEmpty() && errno >= 4000
        ? "libbpf error " + errno : detail);
  }

  private static final Map<Integer, String> LIBBPF_ERRNO = Map.ofEntries(
      Map.entry(4000, "libelf failed"), Map.entry(4001, "not a BPF ELF object"),
      Map.entry(4002, "the object's kernel version is wrong"), Map.entry(4003, "the object's byte order is not the host's"),
      Map.entry(4004, "libbpf internal error"), Map.entry(4005, "relocation failed"),
      Map.entry(4006, "the kernel refused to load a program"), Map.entry(4007, "the verifier refused a program"),
      Map.entry(4008, "a program is too large"), Map.entry(4009, "the kernel version is wrong"),
      Map.entry(4010, "the kernel does not support a program type"), Map.entry(4011, "wrong pid in netlink reply"),
      Map.entry(4012, "invalid netlink sequence"), Map.entry(4013, "netlink parse error"));

  /** The object's name: its path, or the name given with its bytes. */
  public String name() {
    return name;
  }

  /** The names of its maps, as libbpf names them (internal maps such as {@code .rodata} included). */
  public synchronized Set<String> mapNames() {
    return Collections.unmodifiableSet(maps.keySet());
  }

  /** The map named {@code mapName} (owned by this object); a missing name lists those it has. */
  public synchronized BpfMap map(String mapName) {
    if (closed) {
      throw new BpfException("find map", name, 0, "the BPF object is closed");
    }
    BpfMap m = maps.get(mapName);
    if (m == null) {
      throw new MapNotFoundException("find map", name, Errno.ENOENT, "no map '" + BpfException.show(mapName)
          + "' in the object (it has " + String.join(", ", maps.keySet()) + ")");
    }
    return m;
  }

  /** Pins every map (internal ones aside) as {@code dir/NAME}, creating {@code dir} if needed. */
  public synchronized void pinMaps(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BpfException("pin", dir.toString(), 0, "cannot create the directory (" + e.getMessage() + ")");
    }
    maps.forEach((mapName, m) -> {
      if (!mapName.contains(".")) {
        m.pin(dir.resolve(mapName));
      }
    });
  }

  /** Closes its maps and the object (its programs are unloaded unless pinned or attached elsewhere). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    maps.values().forEach(BpfMap::close);
    ElfObjects.close(object);
    elf.close();
  }

  @Override
  public String toString() {
    return "BpfObject[" + name + ", maps " + maps.keySet() + "]";
  }
}
