package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An open BPF map: created here, or opened from a pin on bpffs. Owns one file descriptor, closed by
 * {@link #close()}; a closed map refuses every call. Thread-safe: calls may run concurrently, and
 * {@code close()} waits for none of them but never closes the fd under a running call.
 *
 * <p>A missing key is an empty result, never an exception. Every kernel error is a
 * {@link BpfException} naming the operation, the map and the errno. Methods on {@code byte[]} check
 * sizes and copy; methods on {@link MemorySegment} take native segments and copy nothing.
 *
 * <p>Per-CPU maps hold {@link #possibleCpus()} values per key, each {@code round_up(value_size, 8)}
 * bytes: {@link #valueBufferSize()} is what a lookup returns; see {@link #lookupPerCpu}.
 */
public final class BpfMap implements AutoCloseable {
  private final FdHandle fd;
  private final MapInfo info;
  private final OpenMode mode;
  private final String target;
  private final int valueBufferSize;
  private final MapArgs args;
  private volatile MapBtf btf;

  private BpfMap(int fd, MapInfo info, OpenMode mode) {
    this.fd = new FdHandle(fd);
    this.info = info;
    this.mode = mode;
    this.target = Failures.target(info.name());
    this.valueBufferSize = info.type().perCpu()
        ? PerCpu.stride(info.valueSize()) * possibleCpus() : info.valueSize();
    this.args = new MapArgs(info, target, valueBufferSize);
  }

  /** Creates a map in the kernel. It lives while an fd or a pin holds it. */
  public static BpfMap create(MapSpec spec) {
    return adopt(MapFds.create(spec), OpenMode.READ_WRITE);
  }

  /** Opens a pinned map read-write. */
  public static BpfMap openPinned(Path pin) {
    return openPinned(pin, OpenMode.READ_WRITE);
  }

  /** Opens a pinned map; {@link OpenMode#READ_ONLY} makes the kernel refuse writes through it. */
  public static BpfMap openPinned(Path pin, OpenMode mode) {
    return adopt(MapFds.pinned(pin, mode), mode);
  }

  /** Opens a map by its id ({@code bpftool map list} shows them), read-write. */
  public static BpfMap openById(int id) {
    return openById(id, OpenMode.READ_WRITE);
  }

  /**
   * Opens a map by its id. Read-only needs libbpf 1.1 ({@code bpf_map_get_fd_by_id_opts}); on
   * libbpf 1.0 a read-only open fails with a message that says so.
   */
  public static BpfMap openById(int id, OpenMode mode) {
    return adopt(MapFds.byId(id, mode), mode);
  }

  /** Takes ownership of {@code fd}, a map's: it is closed with the map (now, if its info cannot be read). */
  static BpfMap adopt(int fd, OpenMode mode) {
    return new BpfMap(fd, MapFds.info(fd), mode);
  }

  /** Pins the map at {@code pin} on bpffs; it then outlives this process. */
  public void pin(Path pin) {
    int f = fd.acquire("pin", target);
    try (Arena a = Arena.ofConfined()) {
      int rc = Libbpf.objPin(f, a.allocateFrom(pin.toString()));
      if (rc < 0) {
        throw Failures.onPath("pin", pin, -rc);
      }
    } finally {
      fd.release();
    }
  }

  public MapInfo info() {
    return info;
  }

  public String name() {
    return info.name();
  }

  public OpenMode mode() {
    return mode;
  }

  public int keySize() {
    return info.keySize();
  }

  /** Bytes of a value buffer: value size, or the padded per-CPU size times the possible CPUs. */
  public int valueBufferSize() {
    return valueBufferSize;
  }

  /** Values per key: the possible CPUs for a per-CPU map, else 1. */
  public int valuesPerKey() {
    return info.type().perCpu() ? possibleCpus() : 1;
  }

  /** Bytes from one CPU's value to the next in a value buffer: {@code round_up(value_size, 8)}. */
  public int valueStride() {
    return PerCpu.stride(info.valueSize());
  }

  /** The number of possible CPUs, as libbpf counts them (per-CPU values hold this many). */
  public static int possibleCpus() {
    return PerCpu.possibleCpus();
  }

  // ---- element operations on native segments ----

  /** Copies the value of {@code key} into {@code value}; false when the key is absent. */
  public boolean lookup(MemorySegment key, MemorySegment value) {
    args.segments("lookup", key, value);
    int f = fd.acquire("lookup", target);
    try {
      return found("lookup", Libbpf.lookup(f, keyArg(key), value));
    } finally {
      fd.release();
    }
  }

  public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
    args.segments("update", key, value);
    int f = fd.acquire("update", target);
    try {
      int rc = Libbpf.update(f, keyArg(key), value, flag.bits());
      if (rc == -Errno.ENOENT && flag == UpdateFlag.EXIST) {
        throw new BpfException("update", target, Errno.ENOENT, "the key is absent (UpdateFlag.EXIST)");
      }
      check("update", rc);
    } finally {
      fd.release();
    }
  }

  /** Deletes {@code key}; false when it was absent. */
  public boolean delete(MemorySegment key) {
    args.segments("delete", key, null);
    int f = fd.acquire("delete", target);
    try {
      return found("delete", Libbpf.delete(f, keyArg(key)));
    } finally {
      fd.release();
    }
  }

  /** Copies the value into {@code value} and deletes the key; false when it was absent. */
  public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
    args.segments("lookup and delete", key, value);
    int f = fd.acquire("lookup and delete", target);
    try {
      return found("lookup and delete", Libbpf.lookupAndDelete(f, keyArg(key), value));
    } finally {
      fd.release();
    }
  }

  /** Writes the key after {@code key} (the first key when null) into {@code next}; false at the end. */
  public boolean nextKey(MemorySegment keyOrNull, MemorySegment next) {
    args.segments("next key", next, null);
    int f = fd.acquire("next key", target);
    try {
      return found("next key", Libbpf.nextKey(f, keyOrNull == null ? MemorySegment.NULL : keyOrNull, next));
    } finally {
      fd.release();
    }
  }

  // ---- element operations on byte arrays ----

  public Optional<byte[]> lookup(byte[] key) {
    args.key("lookup", key);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(Math.max(1, valueBufferSize), 8);
      return lookup(copy(a, key), value) ? Optional.of(bytes(value.asSlice(0, valueBufferSize))) : Optional.empty();
    }
  }

  public void update(byte[] key, byte[] value) {
    update(key, value, UpdateFlag.ANY);
  }

  /** On a per-CPU map, a value of value size is written to every CPU. */
  public void update(byte[] key, byte[] value, UpdateFlag flag) {
    args.key("update", key);
    try (Arena a = Arena.ofConfined()) {
      update(copy(a, key), args.value(a, "update", value), flag);
    }
  }

  public boolean delete(byte[] key) {
    args.key("delete", key);
    try (Arena a = Arena.ofConfined()) {
      return delete(copy(a, key));
    }
  }

  public Optional<byte[]> lookupAndDelete(byte[] key) {
    args.key("lookup and delete", key);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(Math.max(1, valueBufferSize), 8);
      return lookupAndDelete(copy(a, key), value) ? Optional.of(bytes(value.asSlice(0, valueBufferSize))) : Optional.empty();
    }
  }

  /** The key after {@code keyOrNull}; the first key when it is null; empty at the end. */
  public Optional<byte[]> nextKey(byte[] keyOrNull) {
    if (keyOrNull != null) {
      args.key("next key", keyOrNull);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment next = a.allocate(Math.max(1, keySize()), 8);
      return nextKey(keyOrNull == null ? null : copy(a, keyOrNull), next)
          ? Optional.of(next.asSlice(0, keySize()).toArray(JAVA_BYTE)) : Optional.empty();
    }
  }

  /** Per-CPU maps: one value (of value size) per possible CPU, in CPU order. */
  public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
    args.perCpu("lookup per CPU");
    return lookup(key).map(buf -> PerCpu.split(buf, info.valueSize()));
  }

  /** Per-CPU maps: sets each CPU's value; {@code values} has one entry per possible CPU. */
  public void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flag) {
    args.perCpu("update per CPU");
    if (values.size() != possibleCpus()) {
      throw new BpfException("update per CPU", target, 0, values.size() + " values given, "
          + possibleCpus() + " possible CPUs");
    }
    update(key, PerCpu.join(values, info.valueSize(), "update per CPU", target), flag);
  }

  // ---- whole-map and batch operations ----

  /**
   * A cursor over the map in batches of {@code batchSize} entries ({@code bpf_map_lookup_batch}),
   * or of lookup-and-delete when {@code delete} is true. The caller closes it.
   */
  public BatchCursor batchCursor(int batchSize, boolean delete) {
    return new BatchCursor(this, batchSize, delete);
  }

  /** Every entry, read in batches; by key where the map type or kernel has no batch lookup. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    try (BatchCursor c = batchCursor(4096, false)) {
      for (int n = c.next(); n > 0; n = c.next()) {
        for (int i = 0; i < n; i++) {
          out.add(new Entry(bytes(c.key(i)), bytes(c.value(i))));
        }
      }
      return out;
    } catch (UnsupportedFeatureException e) {
      return entriesByKey();
    }
  }

  /** Every entry, by {@code get_next_key} and lookup: one syscall pair per entry. */
  public List<Entry> entriesByKey() {
    List<Entry> out = new ArrayList<>();
    for (Optional<byte[]> k = nextKey(null); k.isPresent(); k = nextKey(k.get())) {
      byte[] key = k.get();
      lookup(key).ifPresent(v -> out.add(new Entry(key, v)));
    }
    return out;
  }

  /**
   * Creates or replaces {@code count} keys and values laid end to end; returns how many were
   * written. The kernel's batch update has no NOEXIST/EXIST: it always behaves as {@link UpdateFlag#ANY}.
   */
  public int updateBatch(MemorySegment keys, MemorySegment values, int count) {
    return BatchWrites.update(this, keys, values, count);
  }

  public int updateBatch(List<byte[]> keys, List<byte[]> values) {
    return BatchWrites.update(this, keys, values);
  }

  /** Deletes {@code count} keys laid end to end; returns how many were deleted. */
  public int deleteBatch(MemorySegment keys, int count) {
    return BatchWrites.delete(this, keys, count);
  }

  public int deleteBatch(List<byte[]> keys) {
    return BatchWrites.delete(this, keys);
  }

  /** This map seen through the key and value layouts its BTF gives; refused when it has no BTF. */
  public ParsedMap parsed() {
    return parsed(null, null, false);
  }

  /**
   * This map seen through key and value layouts (null: the layout BTF gives). Refuses layouts
   * whose size is not the map's key or value size (on per-CPU maps: one CPU's value), and layouts
   * that differ from the map's BTF, naming the first difference.
   */
  public ParsedMap parsed(RecordLayout keyLayout, RecordLayout valueLayout) {
    return parsed(keyLayout, valueLayout, false);
  }

  /** As {@link #parsed(RecordLayout, RecordLayout)}; {@code trustLayouts} skips the check against BTF. */
  public ParsedMap parsed(RecordLayout keyLayout, RecordLayout valueLayout, boolean trustLayouts) {
    return ParsedMap.of(this, keyLayout, valueLayout, trustLayouts);
  }

  /** What the map's BTF says of its keys and values, read once; empty when it has none. */
  public Optional<MapBtf> btf() {
    MapBtf b = btf;
    if (b == null && info.btfId() != 0) {
      b = MapBtf.read(info);
      btf = b;
    }
    return Optional.ofNullable(b);
  }

  /** Maps a {@link MapFlags#MMAPABLE} array into memory: reads see kernel updates at once. */
  public MappedArray mmap() {
    return MappedArray.of(this);
  }

  /** Closes the fd (after calls still running on other threads). Idempotent. */
  @Override
  public void close() {
    fd.close();
  }

  public boolean isClosed() {
    return fd.closed();
  }

  @Override
  public String toString() {
    return "BpfMap[" + info.type().cliName() + " '" + info.name() + "' id " + info.id() + "]";
  }

  // ---- package-private plumbing for cursors and batch writes ----

  int acquire(String operation) {
    return fd.acquire(operation, target);
  }

  void release() {
    fd.release();
  }

  String target() {
    return target;
  }

  /** The checks of a caller's keys and values against this map's sizes. */
  MapArgs args() {
    return args;
  }

  BpfException failure(String operation, int errno) {
    return Failures.onMap(operation, info, mode, errno);
  }

  private MemorySegment keyArg(MemorySegment key) {
    return keySize() == 0 ? MemorySegment.NULL : key;
  }

  private boolean found(String operation, int rc) {
    if (rc == -Errno.ENOENT) {
      return false;
    }
    check(operation, rc);
    return true;
  }

  private void check(String operation, int rc) {
    if (rc < 0) {
      throw failure(operation, -rc);
    }
  }

  static MemorySegment copy(Arena a, byte[] bytes) {
    return bytes.length == 0 ? a.allocate(1) : a.allocateFrom(JAVA_BYTE, bytes);
  }

  static byte[] bytes(MemorySegment s) {
    return s.toArray(JAVA_BYTE);
  }
}
