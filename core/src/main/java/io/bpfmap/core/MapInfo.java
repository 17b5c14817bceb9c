package io.bpfmap.core;

/**
 * A map as the kernel describes it ({@code bpf_obj_get_info_by_fd}): id, type, name, sizes,
 * max entries, flags, BTF ids, {@code map_extra} and the offload interface (0 when none).
 *
 * @param id the kernel's id of the map, unique while it lives
 * @param type the map type
 * @param name the kernel name: at most 15 characters, possibly empty
 * @param keySize bytes of a key; 0 for maps without keys (queue, stack)
 * @param valueSize bytes of a value (of one CPU's value on per-CPU maps)
 * @param maxEntries the most entries the map holds
 * @param flags the {@link MapFlags} it was created with
 * @param btfId the id of its BTF object; 0 when it has none
 * @param btfKeyTypeId the key's type id in that BTF; 0 when not described
 * @param btfValueTypeId the value's type id in that BTF; 0 when not described
 * @param mapExtra {@code map_extra}: a type-specific setting (a bloom filter's hash count); else 0
 * @param ifindex the network interface the map is offloaded to; 0 when none
 */
public record MapInfo(int id, MapType type, String name, int keySize, int valueSize, int maxEntries,
    int flags, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra, int ifindex) {

  /** {@return true when the map was created with {@link MapFlags#MMAPABLE}} */
  public boolean mmapable() {
    return (flags & MapFlags.MMAPABLE) != 0;
  }
}
