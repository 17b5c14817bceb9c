package io.bpfmap.core;

import java.util.ArrayList;
import java.util.List;

/** Map creation flags ({@code BPF_F_*} of {@code map_flags}), with their names for display. */
public final class MapFlags {
  /** Hash maps: allocate elements on update instead of all at creation. */
  public static final int NO_PREALLOC = 1;
  /** LRU hashes: one LRU list per CPU instead of one shared list. */
  public static final int NO_COMMON_LRU = 1 << 1;
  /** Place the map on the NUMA node given at creation. */
  public static final int NUMA_NODE = 1 << 2;
  /** Read-only from user space; as a file flag, a read-only fd ({@link OpenMode}). */
  public static final int RDONLY = 1 << 3;
  /** Write-only from user space. */
  public static final int WRONLY = 1 << 4;
  /** Stack trace maps: store build ids and offsets instead of addresses. */
  public static final int STACK_BUILD_ID = 1 << 5;
  /** Hash maps: a zero hash seed, for reproducible tests. */
  public static final int ZERO_SEED = 1 << 6;
  /** Read-only for BPF programs. */
  public static final int RDONLY_PROG = 1 << 7;
  /** Write-only for BPF programs. */
  public static final int WRONLY_PROG = 1 << 8;
  /** Socket storage: copy the element when its socket is cloned. */
  public static final int CLONE = 1 << 9;
  /** Arrays: may be mapped into memory ({@link BpfMap#mmap()}). */
  public static final int MMAPABLE = 1 << 10;
  /** Perf event arrays: keep elements when the fd that added them closes. */
  public static final int PRESERVE_ELEMS = 1 << 11;
  /** An inner map of a map-in-map whose max entries may differ from the template's. */
  public static final int INNER_MAP = 1 << 12;

  private static final String[] NAMES = {"no_prealloc", "no_common_lru", "numa_node", "rdonly",
      "wronly", "stack_build_id", "zero_seed", "rdonly_prog", "wronly_prog", "clone", "mmapable",
      "preserve_elems", "inner_map"};

  private MapFlags() {}

  /**
   * {@return the names of the set flags in bit order, lowercase ({@code mmapable}); unknown bits as
   * {@code 0x…}}
   * @param flags a {@code map_flags} value, as {@link MapInfo#flags()} holds it
   */
  public static List<String> names(int flags) {
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < 32; bit++) {
      if ((flags & (1 << bit)) != 0) {
        out.add(bit < NAMES.length ? NAMES[bit] : "0x" + Integer.toHexString(1 << bit));
      }
    }
    return out;
  }

  /**
   * {@return the bit of the flag named like {@code mmapable}, {@code no-prealloc} or
   * {@code BPF_F_NO_PREALLOC}}
   * @param name a flag name, in any case; '-' stands for '_'
   * @throws BpfException when no flag has this name
   */
  public static int parse(String name) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    if (n.startsWith("bpf_f_")) {
      n = n.substring("bpf_f_".length());
    }
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(n)) {
        return 1 << i;
      }
    }
    throw new BpfException("map flags", "", 0, "unknown map flag '" + name + "'");
  }
}
