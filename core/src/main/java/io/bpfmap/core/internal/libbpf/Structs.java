package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The C structs libbpf takes by pointer, at the offsets of libbpf 1.0's {@code bpf.h} and the
 * kernel's {@code struct bpf_map_info}. Each options struct starts with its own size, so a newer
 * libbpf reads it as the 1.0 layout.
 */
public final class Structs {
  /** {@code struct bpf_map_create_opts}: sz, btf_fd, btf key/value/vmlinux ids, inner fd, flags… */
  static final long CREATE_OPTS_SIZE = 48;
  private static final long CREATE_MAP_FLAGS = 28;
  private static final long CREATE_MAP_EXTRA = 32;
  /** {@code struct bpf_obj_get_opts}: sz, file_flags. */
  static final long OBJ_GET_OPTS_SIZE = 16;
  /** {@code struct bpf_map_batch_opts}: sz, elem_flags, flags. */
  static final long BATCH_OPTS_SIZE = 24;
  /** {@code struct bpf_map_info} up to map_extra (Linux 5.16); older kernels fill less. */
  public static final long MAP_INFO_SIZE = 88;

  private Structs() {}

  public static MemorySegment createOpts(SegmentAllocator alloc, int mapFlags, long mapExtra) {
    MemorySegment s = alloc.allocate(CREATE_OPTS_SIZE, 8);
    s.set(JAVA_LONG, 0, CREATE_OPTS_SIZE);
    s.set(JAVA_INT, CREATE_MAP_FLAGS, mapFlags);
    s.set(JAVA_LONG, CREATE_MAP_EXTRA, mapExtra);
    return s;
  }

  public static MemorySegment objGetOpts(SegmentAllocator alloc, int fileFlags) {
    MemorySegment s = alloc.allocate(OBJ_GET_OPTS_SIZE, 8);
    s.set(JAVA_LONG, 0, OBJ_GET_OPTS_SIZE);
    s.set(JAVA_INT, 8, fileFlags);
    return s;
  }

  /** {@code struct bpf_get_fd_by_id_opts} (libbpf 1.1): sz, open_flags. */
  static MemorySegment fdByIdOpts(SegmentAllocator alloc, int openFlags) {
    MemorySegment s = alloc.allocate(16, 8);
    s.set(JAVA_LONG, 0, 16);
    s.set(JAVA_INT, 8, openFlags);
    return s;
  }

  /** {@code struct bpf_btf_info}: btf (pointer), btf_size, id, name (pointer), name_len, kernel_btf. */
  public static final long BTF_INFO_SIZE = 32;

  /** A {@code bpf_btf_info} asking for the raw BTF into {@code raw} (NULL: only its size) and the name. */
  public static MemorySegment btfInfo(SegmentAllocator alloc, MemorySegment raw, MemorySegment name) {
    MemorySegment s = alloc.allocate(BTF_INFO_SIZE, 8);
    s.set(JAVA_LONG, 0, raw.address());
    s.set(JAVA_INT, 8, (int) raw.byteSize());
    s.set(JAVA_LONG, 16, name.address());
    s.set(JAVA_INT, 24, (int) name.byteSize());
    return s;
  }

  /** The raw BTF's size from a {@code bpf_btf_info}. */
  public static int btfSize(MemorySegment info) {
    return info.get(JAVA_INT, 8);
  }

  /** True when the BTF is the kernel's (vmlinux or a module's). */
  public static boolean kernelBtf(MemorySegment info) {
    return info.get(JAVA_INT, 28) != 0;
  }

  public static MemorySegment batchOpts(SegmentAllocator alloc, long elemFlags) {
    MemorySegment s = alloc.allocate(BATCH_OPTS_SIZE, 8);
    s.set(JAVA_LONG, 0, BATCH_OPTS_SIZE);
    s.set(JAVA_LONG, 8, elemFlags);
    return s;
  }

  /** Decoded {@code struct bpf_map_info}. */
  public record MapInfoStruct(int type, int id, int keySize, int valueSize, int maxEntries, int flags,
      String name, int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {

    public static MapInfoStruct read(MemorySegment s) {
      byte[] raw = s.asSlice(24, 16).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      int len = 0;
      while (len < raw.length && raw[len] != 0) {
        len++;
      }
      return new MapInfoStruct(s.get(JAVA_INT, 0), s.get(JAVA_INT, 4), s.get(JAVA_INT, 8),
          s.get(JAVA_INT, 12), s.get(JAVA_INT, 16), s.get(JAVA_INT, 20),
          new String(raw, 0, len, StandardCharsets.UTF_8), s.get(JAVA_INT, 40), s.get(JAVA_INT, 64),
          s.get(JAVA_INT, 68), s.get(JAVA_INT, 72), s.get(JAVA_LONG, 80));
    }
  }
}
