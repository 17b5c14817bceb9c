package io.bpfmap.core;

import java.nio.file.Path;

/**
 * Where a long-running reader finds its map, each time it (re)opens it: today a pin on bpffs. A
 * supervisor asks {@link #currentId()} now and then to notice that the map it holds was replaced
 * (a BPF program restarted and pinned a new map at the same path).
 */
public sealed interface MapSelector {
  /** Opens the map the selector finds now. */
  BpfMap open(OpenMode mode);

  /** The id of the map the selector finds now; {@link MapNotFoundException} when there is none. */
  int currentId();

  /** A pin on bpffs. */
  static MapSelector pin(Path pin) {
    return new Pin(pin);
  }

  /** A pinned map: opened with {@code bpf_obj_get}. */
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
}
