package io.bpfmap.core;

/**
 * Every kernel map type ({@code enum bpf_map_type}), by its numeric id. The order of the constants
 * is the kernel's, so {@link #id()} is the ordinal.
 */
public enum MapType {
  /** Id 0: no map type; {@link MapSpec} refuses it. */
  UNSPEC,
  /** A hash table. */
  HASH,
  /** An array of {@code u32} indexes, all present from creation and zero-filled. */
  ARRAY,
  /** BPF program fds by index, for tail calls. */
  PROG_ARRAY,
  /** Perf event fds by CPU, for {@code bpf_perf_event_output}. */
  PERF_EVENT_ARRAY,
  /** A hash table with one value per possible CPU. */
  PERCPU_HASH,
  /** An array with one value per possible CPU. */
  PERCPU_ARRAY,
  /** Stack traces by stack id, for {@code bpf_get_stackid}. */
  STACK_TRACE,
  /** Cgroup fds by index, for cgroup membership tests. */
  CGROUP_ARRAY,
  /** A hash table that evicts the least recently used entries when full. */
  LRU_HASH,
  /** An LRU hash table with one value per possible CPU. */
  LRU_PERCPU_HASH,
  /** A longest-prefix-match trie: keys are a prefix length then the data. */
  LPM_TRIE,
  /** Inner map fds by index. */
  ARRAY_OF_MAPS,
  /** Inner map fds by hash key. */
  HASH_OF_MAPS,
  /** Network devices by index, for XDP redirects. */
  DEVMAP,
  /** Sockets by index, for socket redirects. */
  SOCKMAP,
  /** CPUs by index, for XDP redirects to another CPU. */
  CPUMAP,
  /** AF_XDP sockets by index. */
  XSKMAP,
  /** Sockets by hash key, for socket redirects. */
  SOCKHASH,
  /** Storage of cgroup programs, per cgroup (the older, attach-bound kind). */
  CGROUP_STORAGE,
  /** The sockets of a {@code SO_REUSEPORT} group, for reuseport programs. */
  REUSEPORT_SOCKARRAY,
  /** Cgroup storage with one value per possible CPU. */
  PERCPU_CGROUP_STORAGE,
  /** A FIFO queue of values, without keys. */
  QUEUE,
  /** A LIFO stack of values, without keys. */
  STACK,
  /** Storage attached to sockets. */
  SK_STORAGE,
  /** Network devices by hash key, for XDP redirects. */
  DEVMAP_HASH,
  /** A kernel {@code struct_ops} implemented by BPF programs. */
  STRUCT_OPS,
  /** A ring buffer from BPF programs to user space. */
  RINGBUF,
  /** Storage attached to inodes (BPF LSM). */
  INODE_STORAGE,
  /** Storage attached to tasks. */
  TASK_STORAGE,
  /** A Bloom filter of values, without keys. */
  BLOOM_FILTER,
  /** A ring buffer from user space to BPF programs. */
  USER_RINGBUF,
  /** Storage attached to cgroups. */
  CGRP_STORAGE,
  /** Memory shared by BPF programs and user space through {@code mmap}. */
  ARENA;

  private static final MapType[] BY_ID = values();

  /** {@return the kernel's numeric id ({@code BPF_MAP_TYPE_HASH} is 1)} */
  public int id() {
    return ordinal();
  }

  /**
   * {@return the map type with this kernel id}
   * @param id a {@code bpf_map_type} value, as {@link MapInfo} reads it
   * @throws BpfException when the id is unknown (a type newer than this bpfmap)
   */
  public static MapType ofId(int id) {
    if (id < 0 || id >= BY_ID.length) {
      throw new BpfException("map type", "", 0, "unknown map type id " + id
          + " (newer than this bpfmap, which knows ids 0.." + (BY_ID.length - 1) + ")");
    }
    return BY_ID[id];
  }

  /**
   * {@return the map type named like {@code hash}, {@code percpu_array} or
   * {@code BPF_MAP_TYPE_LRU_HASH}}
   * @param name a type name, in any case; '-' stands for '_'
   * @throws BpfException when no map type has this name
   */
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

  /** {@return true for per-CPU maps: one value per possible CPU, each padded to 8 bytes} */
  public boolean perCpu() {
    return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
        || this == PERCPU_CGROUP_STORAGE;
  }

  /** {@return true for array-like maps: every index below max_entries exists; delete is refused} */
  public boolean arrayLike() {
    return this == ARRAY || this == PERCPU_ARRAY || this == PROG_ARRAY
        || this == PERF_EVENT_ARRAY || this == CGROUP_ARRAY || this == ARRAY_OF_MAPS;
  }

  /** {@return the lowercase name used on the command line and in JSON: {@code percpu_hash}} */
  public String cliName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
