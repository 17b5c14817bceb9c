package io.bpfmap.core;

/**
 * Every kernel map type ({@code enum bpf_map_type}), by its numeric id. The order of the constants
 * is the kernel's, so {@link #id()} is the ordinal.
 */
public enum MapType {
  UNSPEC,
  HASH,
  ARRAY,
  PROG_ARRAY,
  PERF_EVENT_ARRAY,
  PERCPU_HASH,
  PERCPU_ARRAY,
  STACK_TRACE,
  CGROUP_ARRAY,
  LRU_HASH,
  LRU_PERCPU_HASH,
  LPM_TRIE,
  ARRAY_OF_MAPS,
  HASH_OF_MAPS,
  DEVMAP,
  SOCKMAP,
  CPUMAP,
  XSKMAP,
  SOCKHASH,
  CGROUP_STORAGE,
  REUSEPORT_SOCKARRAY,
  PERCPU_CGROUP_STORAGE,
  QUEUE,
  STACK,
  SK_STORAGE,
  DEVMAP_HASH,
  STRUCT_OPS,
  RINGBUF,
  INODE_STORAGE,
  TASK_STORAGE,
  BLOOM_FILTER,
  USER_RINGBUF,
  CGRP_STORAGE,
  ARENA;

  private static final MapType[] BY_ID = values();

  /** The kernel's numeric id ({@code BPF_MAP_TYPE_HASH} is 1). */
  public int id() {
    return ordinal();
  }

  /** The map type with this kernel id. */
  public static MapType ofId(int id) {
    if (id < 0 || id >= BY_ID.length) {
      throw new BpfException("map type", "", 0, "unknown map type id " + id
          + " (newer than this bpfmap, which knows ids 0.." + (BY_ID.length - 1) + ")");
    }
    return BY_ID[id];
  }

  /** The map type named like {@code hash}, {@code percpu_array} or {@code BPF_MAP_TYPE_LRU_HASH}. */
  public static MapType parse(String name) {
    String n = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    if (n.startsWith("BPF_MAP_TYPE_")) {
      n = n.substring("BPF_MAP_TYPE_".length());
    }
    for (MapType t : BY_ID) {
      if (t.name().equals(n)) {
        return t;
      }
    }
    throw new BpfException("map type", "", 0, "unknown map type '" + name + "'");
  }

  /** Per-CPU maps hold one value per possible CPU, each padded to 8 bytes. */
  public boolean perCpu() {
    return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
        || this == PERCPU_CGROUP_STORAGE;
  }

  /** Array-like maps: every index below max_entries exists, and delete is refused. */
  public boolean arrayLike() {
    return this == ARRAY || this == PERCPU_ARRAY || this == PROG_ARRAY
        || this == PERF_EVENT_ARRAY || this == CGROUP_ARRAY || this == ARRAY_OF_MAPS;
  }

  /** The lowercase name used on the command line and in JSON: {@code percpu_hash}. */
  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
