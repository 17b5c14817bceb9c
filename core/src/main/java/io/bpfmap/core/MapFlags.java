package io.bpfmap.core;

import java.util.ArrayList;
import java.util.List;

/** Map creation flags ({@code BPF_F_*} of {@code map_flags}), with their names for display. */
public final class MapFlags {
  public static final int NO_PREALLOC = 1;
  public static final int NO_COMMON_LRU = 1 << 1;
  public static final int NUMA_NODE = 1 << 2;
  public static final int RDONLY = 1 << 3;
  public static final int WRONLY = 1 << 4;
  public static final int STACK_BUILD_ID = 1 << 5;
  public static final int ZERO_SEED = 1 << 6;
  public static final int RDONLY_PROG = 1 << 7;
  public static final int WRONLY_PROG = 1 << 8;
  public static final int CLONE = 1 << 9;
  public static final int MMAPABLE = 1 << 10;
  public static final int PRESERVE_ELEMS = 1 << 11;
  public static final int INNER_MAP = 1 << 12;

  private static final String[] NAMES = {"no_prealloc", "no_common_lru", "numa_node", "rdonly",
      "wronly", "stack_build_id", "zero_seed", "rdonly_prog", "wronly_prog", "clone", "mmapable",
      "preserve_elems", "inner_map"};

  private MapFlags() {}

  /** The names of the set flags, in bit order; unknown bits as {@code 0x…}. */
  public static List<String> names(int flags) {
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < 32; bit++) {
      if ((flags & (1 << bit)) != 0) {
        out.add(bit < NAMES.length ? NAMES[bit] : "0x" + Integer.toHexString(1 << bit));
      }
    }
    return out;
  }

  /** The flag named like {@code mmapable} or {@code BPF_F_NO_PREALLOC}. */
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
