package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.bpfmap.core.internal.libbpf.Mmap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A {@link MapFlags#MMAPABLE} array mapped into this process: value {@code i} lives at
 * {@code i * round_up(value_size, 8)}. Reads see kernel and BPF-program updates with no syscall.
 * The kernel maps only read-write opens. {@link #close()} unmaps it; the mapping keeps the
 * map alive even after the {@link BpfMap} is closed. Segments from it fail once it is closed.
 */
public final class MappedArray implements AutoCloseable {
  private final Arena arena;
  private final MemorySegment segment;
  private final int stride;
  private final int valueSize;
  private final int length;

  private MappedArray(Arena arena, MemorySegment segment, int stride, int valueSize, int length) {
    this.arena = arena;
    this.segment = segment;
    this.stride = stride;
    this.valueSize = valueSize;
    this.length = length;
  }

  static MappedArray of(BpfMap map) {
    MapInfo info = map.info();
    if (info.type() != MapType.ARRAY || !info.mmapable()) {
      throw new BpfException("mmap", map.target(), 0, "only arrays created with BPF_F_MMAPABLE can be mapped");
    }
    if (map.mode() != OpenMode.READ_WRITE) {
      // A shared mapping of an O_RDONLY file loses VM_SHARED, which bpf_map_mmap refuses (EINVAL).
      throw new BpfPermissionException("mmap", map.target(), 0,
          "the kernel maps only read-write opens; open the pin READ_WRITE (or read with lookup)");
    }
    int stride = PerCpu.stride(info.valueSize());
    long bytes = (long) stride * info.maxEntries();
    Arena arena = Arena.ofShared();
    int f = map.acquire("mmap");
    try {
      Mmap.Result r = Mmap.map(f, bytes, true, arena);
      if (r.segment() == null) {
        arena.close();
        throw map.failure("mmap", r.errno());
      }
      return new MappedArray(arena, r.segment(), stride, info.valueSize(), info.maxEntries());
    } finally {
      map.release();
    }
  }

  /** {@return the whole mapping: {@link #length()} slots, {@code round_up(value_size, 8)} each} */
  public MemorySegment segment() {
    return segment;
  }

  /**
   * {@return value {@code index} in place: value size bytes of the mapping, no copy}
   * @param index the array index, from 0 to {@link #length()} - 1
   * @throws IndexOutOfBoundsException when {@code index} is outside the array
   */
  public MemorySegment value(int index) {
    return segment.asSlice(offset(index), valueSize);
  }

  /**
   * {@return a copy of value {@code index}, value size bytes}
   * @param index the array index, from 0 to {@link #length()} - 1
   * @throws IndexOutOfBoundsException when {@code index} is outside the array
   */
  public byte[] get(int index) {
    return value(index).toArray(JAVA_BYTE);
  }

  /**
   * Writes value {@code index} in place; BPF programs see it at once.
   * @param index the array index, from 0 to {@link #length()} - 1
   * @param value exactly value size bytes
   * @throws BpfException when {@code value} has the wrong size
   * @throws IndexOutOfBoundsException when {@code index} is outside the array
   */
  public void set(int index, byte[] value) {
    if (value.length != valueSize) {
      throw new BpfException("mmap write", "index " + index, 0, "value is " + value.length
          + " bytes, the map's values are " + valueSize + " bytes");
    }
    MemorySegment.copy(value, 0, segment, JAVA_BYTE, offset(index), valueSize);
  }

  /** {@return the number of values: the map's max entries} */
  public int length() {
    return length;
  }

  /** Unmaps the memory; the map itself lives on while an fd or a pin holds it. */
  @Override
  public void close() {
    arena.close();
  }

  private long offset(int index) {
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (length - 1));
    }
    return (long) index * stride;
  }
}
