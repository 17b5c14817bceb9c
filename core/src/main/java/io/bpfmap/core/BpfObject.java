package io.bpfmap.core;

import io.bpfmap.core.btf.Btf;
import io.bpfmap.core.btf.BtfLayouts;
import io.bpfmap.core.internal.libbpf.ElfObjects;
import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Programs;
import io.bpfmap.core.record.RecordLayout;
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
import java.util.Optional;
import java.util.Set;

/**
 * A BPF ELF object (what {@code clang -target bpf -g} makes) opened and loaded by libbpf: its maps
 * are created with their BTF and its programs loaded. Its maps are {@link BpfMap}s by name and its
 * programs {@link BpfProgram}s by name, all owned by this object, as are the {@link BpfLink}s its
 * programs' attaches make: {@link #close()} detaches and closes them all (pin a map or a link to
 * keep it). Thread-safe; close once.
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.open(Path.of("execs.bpf.o"))) {
 *   obj.attach(List.of());                      // every program, where its section says
 *   BpfMap counts = obj.map("counts");
 *   ...
 * }                                             // detached, maps closed
 * }</pre>
 */
public final class BpfObject implements AutoCloseable {
  private final String name;
  private final MemorySegment object;
  private final Arena elf;
  private final Map<String, BpfMap> maps = new LinkedHashMap<>();
  private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
  private final List<BpfLink> links = new ArrayList<>();
  private Btf btf;
  private boolean closed;

  private BpfObject(String name, MemorySegment object, Arena elf) {
    this.name = name;
    this.object = object;
    this.elf = elf;
  }

  /**
   * Opens and loads the object in {@code path}: creates its maps and loads its programs, attaching
   * none.
   *
   * @param path an ELF object file
   * @return the loaded object, to close
   * @throws BpfException with libbpf's last message when the file is no BPF object or the kernel
   *     refuses a map or a program (the verifier's refusal included)
   */
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

  /**
   * Opens and loads an object from its bytes, as {@link #open(Path)} does.
   *
   * @param elfBytes the ELF object
   * @param name its name in messages (libbpf's object name)
   * @return the loaded object, to close
   * @throws BpfException when libbpf or the kernel refuses it
   */
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
    Map<String, String> sections = new LinkedHashMap<>();
    for (MemorySegment p : Programs.programs(o.object())) {
      sections.put(Programs.name(p), Programs.section(p));
    }
    int rc = ElfObjects.logged(said, () -> ElfObjects.load(o.object()));
    if (rc < 0) {
      ElfObjects.close(o.object());
      a.close();
      throw failure("load BPF object", target, -rc, programSaid(said, sections));
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
      for (MemorySegment p : Programs.programs(o.object())) {
        BpfProgram program = new BpfProgram(obj, p);
        obj.programs.put(program.name(), program);
      }
    } catch (RuntimeException e) {
      obj.close();
      throw e;
    }
    return obj;
  }

  /**
   * What libbpf said, its last word on a program first when it has one, with that program's
   * section: {@code program 'on_exec' (section tracepoint/sched/sched_process_exec): failed to
   * load: -1}, rather than libbpf's closing "failed to load object".
   */
  private static List<String> programSaid(List<String> said, Map<String, String> sections) {
    for (int i = said.size() - 1; i >= 0; i--) {
      java.util.regex.Matcher m = PROGRAM_SAID.matcher(said.get(i));
      if (m.matches() && sections.containsKey(m.group(1))) {
        List<String> out = new ArrayList<>(said);
        String verifier = verifierSaid(said);
        out.add("program '" + m.group(1) + "' (section " + sections.get(m.group(1)) + "): "
            + (verifier == null ? m.group(2) : "the verifier said: " + verifier));
        return out;
      }
    }
    return said;
  }

  /** The verifier's reason: the last line of its log before its statistics, or null without a log. */
  private static String verifierSaid(List<String> said) {
    for (int i = said.size() - 1; i >= 0; i--) {
      String text = said.get(i);
      int begin = text.indexOf("-- BEGIN PROG LOAD LOG --");
      if (begin >= 0) {
        int end = text.indexOf("-- END PROG LOAD LOG --");
        List<String> lines = text.substring(begin, end < 0 ? text.length() : end).lines().skip(1)
            .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("processed ")
                && !l.startsWith("verification time")).toList();
        return lines.isEmpty() ? null : lines.getLast();
      }
    }
    return null;
  }

  private static final java.util.regex.Pattern PROGRAM_SAID =
      java.util.regex.Pattern.compile("(?:libbpf: )?prog '([^']+)': (.*)");

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

  /** {@return the object's name: its path, or the name given with its bytes} */
  public String name() {
    return name;
  }

  /** {@return the names of its maps, as libbpf names them (internal maps such as {@code .rodata} too)} */
  public synchronized Set<String> mapNames() {
    return Collections.unmodifiableSet(maps.keySet());
  }

  /**
   * The map named {@code mapName}, owned by this object.
   *
   * @param mapName the map's name in the object
   * @return the map; closing it is the object's business
   * @throws MapNotFoundException naming the maps it has when it has no such map
   * @throws BpfException when the object is closed
   */
  public synchronized BpfMap map(String mapName) {
    checkOpen("find map", name);
    BpfMap m = maps.get(mapName);
    if (m == null) {
      throw new MapNotFoundException("find map", name, Errno.ENOENT, missing("map", mapName, maps.keySet()));
    }
    return m;
  }

  /**
   * {@return the object's BTF: every type its programs and maps use, read once; empty when it was
   * compiled without {@code -g}}
   * @throws BpfException when the object is closed
   */
  public synchronized Optional<Btf> btf() {
    checkOpen("read BTF", name);
    if (btf == null) {
      byte[] raw = ElfObjects.btf(object);
      if (raw == null) {
        return Optional.empty();
      }
      btf = Btf.parse(raw);
    }
    return Optional.of(btf);
  }

  /**
   * The layout of a type the object's BTF names: what a ring's records are, since a ring's map
   * has no value type.
   *
   * @param cType {@code struct NAME}, {@code union NAME} or a typedef's name
   * @return the layout
   * @throws BpfException when the object has no BTF or no such type (or the type has no layout)
   */
  public RecordLayout layout(String cType) {
    Btf types = btf().orElseThrow(() -> new BpfException("find type", name, 0,
        "the object has no BTF (compile it with clang -g)"));
    return BtfLayouts.named(types, cType).orElseThrow(() -> new BpfException("find type", name, Errno.ENOENT,
        "no type '" + BpfException.show(cType) + "' in the object's BTF (BTF keeps the types of globals and "
        + "signatures only: declare one, as in 'struct event *unused_event __attribute__((unused));')"));
  }

  /** What a lookup of a name the object lacks says: the names it has instead. */
  private static String missing(String kind, String wanted, Set<String> names) {
    return "no " + kind + " '" + BpfException.show(wanted) + "' in the object (it has "
        + (names.isEmpty() ? "none" : String.join(", ", names)) + ")";
  }

  /** {@return its programs in the object's order, owned by this object} */
  public synchronized List<BpfProgram> programs() {
    return List.copyOf(programs.values());
  }

  /**
   * The program named {@code programName} (its C function's name).
   *
   * @param programName the program's name
   * @return the program
   * @throws BpfException naming the programs it has when it has no such program, or when closed
   */
  public synchronized BpfProgram program(String programName) {
    checkOpen("find program", name);
    BpfProgram p = programs.get(programName);
    if (p == null) {
      throw new BpfException("find program", name, Errno.ENOENT, missing("program", programName, programs.keySet()));
    }
    return p;
  }

  /**
   * Attaches the programs named, each where its section says; with {@code programNames} empty,
   * every program whose section libbpf can attach by itself (those it cannot, such as
   * {@code socket} filters, are loaded and left unattached, as libbpf's skeletons do). All or
   * nothing: when one is refused, those attached by this call are detached before the error is
   * thrown.
   *
   * @param programNames the programs to attach; empty for all that can attach by section
   * @return their links, in the order given (the object's order for all)
   * @throws BpfException for an unknown name or the first refusal, naming the program and section
   */
  public List<BpfLink> attach(List<String> programNames) {
    boolean all = programNames.isEmpty();
    List<BpfProgram> which = all ? programs() : programNames.stream().map(this::program).toList();
    List<BpfLink> made = new ArrayList<>();
    try {
      for (BpfProgram p : which) {
        try {
          made.add(attach(p));
        } catch (BpfException e) {
          if (!all || e.errno() != Errno.EOPNOTSUPP) {
            throw e;
          }
        }
      }
    } catch (RuntimeException e) {
      made.forEach(BpfLink::close);
      throw e;
    }
    return made;
  }

  /** {@return the links of this object's programs that are still open} */
  public synchronized List<BpfLink> links() {
    return List.copyOf(links);
  }

  BpfLink attach(BpfProgram program) {
    synchronized (this) {
      checkOpen("attach", program.target());
    }
    Programs.Attached[] attached = new Programs.Attached[1];
    List<String> said = BpfProgram.libbpfSays(() -> attached[0] = Programs.attach(program.handle()));
    if (attached[0].link() == null) {
      throw program.attachFailure(attached[0].errno(), said);
    }
    BpfLink link = new BpfLink(this, program, attached[0].link());
    synchronized (this) {
      if (closed) {
        link.close();
        throw new BpfException("attach", program.target(), 0, "the BPF object closed meanwhile");
      }
      links.add(link);
    }
    return link;
  }

  synchronized void forget(BpfLink link) {
    links.remove(link);
  }

  synchronized void checkOpen(String operation, String target) {
    if (closed) {
      throw new BpfException(operation, target, 0, "the BPF object " + name + " is closed");
    }
  }

  /**
   * Pins every map (internal ones, whose names hold a dot, aside) as {@code dir/NAME}: all of them
   * or, when one pin is refused, none (those already made are removed, as libbpf's own
   * {@code bpf_object__pin_maps} does). A directory off bpffs is refused before anything is made.
   *
   * @param dir a directory on a bpf filesystem, created if needed
   * @throws BpfException when the directory is not on bpffs or cannot be made, or a pin is refused
   */
  public synchronized void pinMaps(Path dir) {
    if (Bpffs.mountPointOf(dir) == null) {
      throw Failures.onPath("pin", dir, 0);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new BpfException("pin", dir.toString(), 0, "cannot create the directory (" + e.getMessage() + ")");
    }
    List<Path> pinned = new ArrayList<>();
    try {
      maps.forEach((mapName, m) -> {
        if (!mapName.contains(".")) {
          m.pin(dir.resolve(mapName));
          pinned.add(dir.resolve(mapName));
        }
      });
    } catch (RuntimeException e) {
      pinned.forEach(p -> p.toFile().delete());  // fails only if bpffs went away: the refusal is what to report
      throw e;
    }
  }

  /**
   * Detaches its programs (destroying every link not pinned), closes its maps and unloads the
   * object. Maps and links that are pinned stay in the kernel. Idempotent.
   */
  @Override
  public void close() {
    List<BpfLink> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(links);
    }
    open.forEach(BpfLink::close);
    synchronized (this) {
      maps.values().forEach(BpfMap::close);
      ElfObjects.close(object);
      elf.close();
    }
  }

  @Override
  public String toString() {
    return "BpfObject[" + name + ", maps " + maps.keySet() + ", programs " + programs.keySet() + "]";
  }
}
