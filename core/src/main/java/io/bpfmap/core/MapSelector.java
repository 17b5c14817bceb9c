package io.bpfmap.core;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a reader finds its map, each time it (re)opens it: a pin on bpffs, a map id, or a map's
 * kernel name. A supervisor asks {@link #currentId(int)} now and then to notice that the map it
 * holds was replaced (a BPF program restarted and pinned or created a new map).
 */
public sealed interface MapSelector {
  /**
   * {@return the map the selector finds now, newly opened; the caller closes it}
   * @param mode how the map's fd is opened
   * @throws MapNotFoundException when the selector finds no map
   */
  BpfMap open(OpenMode mode);

  /**
   * {@return the id of the map the selector finds now}
   * @throws MapNotFoundException when there is none
   */
  int currentId();

  /**
   * {@return the id of the map the selector finds while {@code held} is being read}; a different id
   * means the held map was replaced. By default, {@link #currentId()}.
   * @param held the id of the map being read, which still exists
   * @throws MapNotFoundException when there is none
   */
  default int currentId(int held) {
    return currentId();
  }

  /**
   * {@return a selector of the map pinned at {@code pin}, whichever it is at each open}
   * @param pin the pin's path on bpffs
   */
  static MapSelector pin(Path pin) {
    return new Pin(pin);
  }

  /**
   * {@return a selector of the map with this id: that map, for as long as it lives}
   * @param id the kernel's id of the map
   */
  static MapSelector id(int id) {
    return new Id(id);
  }

  /**
   * {@return a selector of the one map with this kernel name}
   * @param name the map's kernel name (the kernel keeps 15 characters)
   */
  static MapSelector name(String name) {
    return new Name(name);
  }

  /**
   * {@return the selector {@code text} names: {@code id:N}, {@code name:NAME} or a pin path}
   * @param text a selector as a command line or config takes it
   * @throws BpfException when an id is not a positive number, or a name is empty
   */
  static MapSelector parse(String text) {
    if (text.startsWith("id:")) {
      try {
        int id = Integer.parseInt(text.substring(3).strip());
        if (id > 0) {
          return id(id);
        }
      } catch (NumberFormatException notANumber) {
        // falls through
      }
      throw new BpfException("select map", BpfException.show(text), 0, "a map id is a positive number (id:42)");
    }
    if (text.startsWith("name:")) {
      String name = text.substring(5);
      if (name.isEmpty()) {
        throw new BpfException("select map", text, 0, "name: needs a map name (name:flows)");
      }
      return name(name);
    }
    return pin(Path.of(text));
  }

  /**
   * A pinned map: opened with {@code bpf_obj_get}.
   *
   * @param path the pin's path on bpffs
   */
  record Pin(Path path) implements MapSelector {
    @Override
    public BpfMap open(OpenMode mode) {
      return BpfMap.openPinned(path, mode);
    }

    @Override
    public int currentId() {
      try (BpfMap m = BpfMap.openPinned(path, OpenMode.READ_ONLY)) {
        return m.info().id();
      }
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }

  /**
   * A map by id; opening it needs CAP_SYS_ADMIN.
   *
   * @param id the kernel's id of the map
   */
  record Id(int id) implements MapSelector {
    @Override
    public BpfMap open(OpenMode mode) {
      return BpfMap.openById(id, mode);
    }

    @Override
    public int currentId() {
      try (BpfMap m = BpfMap.openById(id, OpenMode.READ_WRITE)) {
        return m.info().id();
      }
    }

    @Override
    public String toString() {
      return "id:" + id;
    }
  }

  /**
   * A map by kernel name: exactly one map must have it. While a map is held, a map of the same
   * name and type that appears beside it is its replacement (a program re-created it). Opening it
   * lists the maps and opens by id: both need CAP_SYS_ADMIN.
   *
   * @param name the map's kernel name
   */
  record Name(String name) implements MapSelector {
    @Override
    public BpfMap open(OpenMode mode) {
      return BpfMap.openById(currentId(), mode);
    }

    @Override
    public int currentId() {
      return only(KernelMaps.named(name));
    }

    @Override
    public int currentId(int held) {
      List<MapInfo> all = KernelMaps.named(name);
      MapInfo mine = all.stream().filter(i -> i.id() == held).findFirst().orElse(null);
      List<MapInfo> others = all.stream().filter(i -> i.id() != held
          && (mine == null || i.type() == mine.type())).toList();
      return others.isEmpty() && mine != null ? held : only(others);
    }

    private int only(List<MapInfo> found) {
      if (found.isEmpty()) {
        throw new MapNotFoundException("select map", toString(), Errno.ENOENT, "no map has this name");
      }
      if (found.size() > 1) {
        throw new BpfException("select map", toString(), 0, found.size() + " maps have this name ("
            + String.join(", ", found.stream().map(i -> "id:" + i.id() + " " + i.type().cliName()).toList())
            + "): select one by id");
      }
      return found.get(0).id();
    }

    @Override
    public String toString() {
      return "name:" + name;
    }
  }
}
