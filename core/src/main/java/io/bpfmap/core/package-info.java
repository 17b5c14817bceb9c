/**
 * The public API of BPF maps: create or open a map, read and write its entries, and list the
 * system's maps. {@link io.bpfmap.core.BpfMap} is an open map that owns one file descriptor; it is
 * made from a {@link io.bpfmap.core.MapSpec} or opened from a pin or an id, and describes itself
 * with a {@link io.bpfmap.core.MapInfo}. {@link io.bpfmap.core.BatchCursor} reads a map in
 * batches, {@link io.bpfmap.core.ParsedMap} reads and writes it through record layouts (or its
 * BTF, {@link io.bpfmap.core.MapBtf}), {@link io.bpfmap.core.MapSelector} finds a map again after a
 * restart, and {@link io.bpfmap.core.KernelMaps} lists every map of the kernel.
 * {@link io.bpfmap.core.BpfObject} loads a compiled BPF object and gives its maps by name.
 *
 * <p>Every failure is an unchecked {@link io.bpfmap.core.BpfException} (or a subclass) naming the
 * operation, the map and the errno; a missing key is an empty result, not an exception.
 *
 * <pre>{@code
 * try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "flows", 16, 64, 256))) {
 *   map.pin(Path.of("/sys/fs/bpf/flows"));
 * }
 * try (BpfMap map = BpfMap.openPinned(Path.of("/sys/fs/bpf/flows"), OpenMode.READ_ONLY)) {
 *   Optional<byte[]> value = map.lookup(new byte[16]);
 *   List<Entry> all = map.entries();
 * }
 * }</pre>
 */
package io.bpfmap.core;
