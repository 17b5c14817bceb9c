package io.bpfmap.core;

/**
 * A map as the kernel describes it ({@code bpf_obj_get_info_by_fd}): id, type, name, sizes,
 * max entries, flags, BTF ids, {@code map_extra} and the offload interface (0 when none).
 */
public record MapInfo(int id, MapType type, String name, int keySize, int valueSize, int maxEntries,
    int flags, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra, int ifindex) {

  /** True when the map was created with {@link MapFlags#MMAPABLE}. */
  public boolean mmapable() {
    return (flags & MapFlags.MMAPABLE) != 0;
  }
}
