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
 *
 * <p>The factories return a map the caller closes. Unless a method says otherwise, it throws
 * {@link BpfException} when the map is closed, an argument has the wrong size (errno 0, before any
 * syscall) or the kernel fails, and {@link BpfPermissionException} when the kernel refuses (a write
 * through a read-only open, no CAP_BPF). Factories throw {@link NativeUnavailableException} when
 * libbpf cannot be loaded.
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

  /**
   * {@return a new map in the kernel, open read-write} It lives while an fd or a pin holds it.
   * @param spec the map's type, name, sizes and flags
   * @throws BpfException when the kernel refuses the spec (EINVAL, naming it) or lacks memory
   */
  public static BpfMap create(MapSpec spec) {
    return adopt(MapFds.create(spec), OpenMode.READ_WRITE);
  }

  /**
   * {@return the map pinned at {@code pin}, open read-write} The same as
   * {@link #openPinned(Path, OpenMode)} with {@link OpenMode#READ_WRITE}.
   * @param pin the pin's path on bpffs
   */
  public static BpfMap openPinned(Path pin) {
    return openPinned(pin, OpenMode.READ_WRITE);
  }

  /**
   * {@return the map pinned at {@code pin}} {@link OpenMode#READ_ONLY} makes the kernel refuse
   * writes through it.
   * @param pin the pin's path on bpffs
   * @param mode how the map's fd is opened
   * @throws MapNotFoundException when nothing is pinned there, or the pin holds no map
   * @throws BpfException when the path is not on a bpf filesystem
   */
  public static BpfMap openPinned(Path pin, OpenMode mode) {
    return adopt(MapFds.pinned(pin, mode), mode);
  }

  /**
   * {@return the map with this id, open read-write} As {@link #openById(int, OpenMode)}.
   * @param id the kernel's id of the map ({@code bpftool map list} shows them)
   */
  public static BpfMap openById(int id) {
    return openById(id, OpenMode.READ_WRITE);
  }

  /**
   * {@return the map with this id} Needs CAP_SYS_ADMIN. Read-only needs libbpf 1.1
   * ({@code bpf_map_get_fd_by_id_opts}); on libbpf 1.0 a read-only open fails with a message that
   * says so.
   * @param id the kernel's id of the map ({@code bpftool map list} shows them)
   * @param mode how the map's fd is opened
   * @throws MapNotFoundException when no map has this id
   * @throws UnsupportedFeatureException for a read-only open on libbpf 1.0
   */
  public static BpfMap openById(int id, OpenMode mode) {
    return adopt(MapFds.byId(id, mode), mode);
  }

  /** Takes ownership of {@code fd}, a map's: it is closed with the map (now, if its info cannot be read). */
  static BpfMap adopt(int fd, OpenMode mode) {
    return new BpfMap(fd, MapFds.info(fd), mode);
  }

  /**
   * Pins the map at {@code pin} on bpffs; it then outlives this process.
   * @param pin a new path on bpffs, in an existing directory; bpffs refuses names with a dot
   * @throws BpfException when something is pinned there already (EEXIST) or it is not on bpffs
   */
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

  /** {@return what the kernel said of the map when it was opened: read once, not refreshed} */
  public MapInfo info() {
    return info;
  }

  /** {@return the map's kernel name: at most 15 characters, possibly empty} */
  public String name() {
    return info.name();
  }

  /** {@return how the map was opened; a created map is {@link OpenMode#READ_WRITE}} */
  public OpenMode mode() {
    return mode;
  }

  /** {@return the bytes of a key; 0 for maps without keys (queue, stack)} */
  public int keySize() {
    return info.keySize();
  }

  /** {@return bytes of a value buffer: value size, or the padded per-CPU size times the CPUs} */
  public int valueBufferSize() {
    return valueBufferSize;
  }

  /** {@return values per key: the possible CPUs for a per-CPU map, else 1} */
  public int valuesPerKey() {
    return info.type().perCpu() ? possibleCpus() : 1;
  }

  /** {@return bytes from one CPU's value to the next: {@code round_up(value_size, 8)}} */
  public int valueStride() {
    return PerCpu.stride(info.valueSize());
  }

  /**
   * {@return the number of possible CPUs as libbpf counts them (per-CPU values hold this many)}
   * @throws NativeUnavailableException when libbpf cannot be loaded
   */
  public static int possibleCpus() {
    return PerCpu.possibleCpus();
  }

  // ---- element operations on native segments ----

  /**
   * {@return true when {@code key} was found and its value copied into {@code value}}
   * @param key a native segment of at least {@link #keySize()} bytes
   * @param value a native segment of at least {@link #valueBufferSize()} bytes
   */
  public boolean lookup(MemorySegment key, MemorySegment value) {
    args.segments("lookup", key, value);
    int f = fd.acquire("lookup", target);
    try {
      return found("lookup", Libbpf.lookup(f, keyArg(key), value));
    } finally {
      fd.release();
    }
  }

  /**
   * Writes {@code value} for {@code key} as {@code flag} allows.
   * @param key a native segment of at least {@link #keySize()} bytes
   * @param value a native segment of at least {@link #valueBufferSize()} bytes
   * @param flag whether the key may be created, replaced or both
   * @throws BpfException when {@code flag} refuses (EEXIST, ENOENT), the map is full or an array index is past
   *     its end (E2BIG)
   */
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

  /**
   * {@return true when {@code key} was there and is deleted} Array-like maps refuse (EINVAL).
   * @param key a native segment of at least {@link #keySize()} bytes
   */
  public boolean delete(MemorySegment key) {
    args.segments("delete", key, null);
    int f = fd.acquire("delete", target);
    try {
      return found("delete", Libbpf.delete(f, keyArg(key)));
    } finally {
      fd.release();
    }
  }

  /**
   * {@return true when {@code key} was found: its value is copied into {@code value} and it is
   * deleted} On a queue or stack (no key) it pops a value.
   * @param key a native segment of at least {@link #keySize()} bytes
   * @param value a native segment of at least {@link #valueBufferSize()} bytes
   * @throws UnsupportedFeatureException where the map type or kernel lacks the operation
   */
  public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
    args.segments("lookup and delete", key, value);
    int f = fd.acquire("lookup and delete", target);
    try {
      return found("lookup and delete", Libbpf.lookupAndDelete(f, keyArg(key), value));
    } finally {
      fd.release();
    }
  }

  /**
   * {@return false at the end; else true, the key after {@code keyOrNull} written to {@code next}}
   * @param keyOrNull a native segment holding a key, or null for the first key
   * @param next a native segment of at least {@link #keySize()} bytes
   */
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

  /**
   * {@return a copy of the value of {@code key}, {@link #valueBufferSize()} bytes; empty if absent}
   * @param key the key, exactly {@link #keySize()} bytes
   */
  public Optional<byte[]> lookup(byte[] key) {
    args.key("lookup", key);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(Math.max(1, valueBufferSize), 8);
      return lookup(copy(a, key), value) ? Optional.of(bytes(value.asSlice(0, valueBufferSize))) : Optional.empty();
    }
  }

  /**
   * As {@link #update(byte[], byte[], UpdateFlag)} with {@link UpdateFlag#ANY}: create or replace.
   * @param key the key, exactly {@link #keySize()} bytes
   * @param value the value, as that method takes it
   */
  public void update(byte[] key, byte[] value) {
    update(key, value, UpdateFlag.ANY);
  }

  /**
   * Writes {@code value} for {@code key} as {@code flag} allows.
   * @param key the key, exactly {@link #keySize()} bytes
   * @param value {@link #valueBufferSize()} bytes; per-CPU maps also take one value for all CPUs
   * @param flag whether the key may be created, replaced or both
   * @throws BpfException when {@code flag} refuses (EEXIST, ENOENT), the map is full or an array index is past
   *     its end (E2BIG)
   */
  public void update(byte[] key, byte[] value, UpdateFlag flag) {
    args.key("update", key);
    try (Arena a = Arena.ofConfined()) {
      update(copy(a, key), args.value(a, "update", value), flag);
    }
  }

  /**
   * {@return true when {@code key} was there and is deleted} Array-like maps refuse (EINVAL).
   * @param key the key, exactly {@link #keySize()} bytes
   */
  public boolean delete(byte[] key) {
    args.key("delete", key);
    try (Arena a = Arena.ofConfined()) {
      return delete(copy(a, key));
    }
  }

  /**
   * {@return a copy of the value of {@code key}, which is deleted; empty when absent} On a queue or
   * stack (key size 0) it pops the next value.
   * @param key the key, exactly {@link #keySize()} bytes
   * @throws UnsupportedFeatureException where the map type or kernel lacks the operation
   */
  public Optional<byte[]> lookupAndDelete(byte[] key) {
    args.key("lookup and delete", key);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(Math.max(1, valueBufferSize), 8);
      return lookupAndDelete(copy(a, key), value) ? Optional.of(bytes(value.asSlice(0, valueBufferSize))) : Optional.empty();
    }
  }

  /**
   * {@return a copy of the key after {@code keyOrNull}; empty at the end of the map}
   * @param keyOrNull a key of {@link #keySize()} bytes, or null for the first key
   */
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

  /**
   * {@return per-CPU maps: the value of {@code key} on each possible CPU, in CPU order; empty when
   * absent}
   * @param key the key, exactly {@link #keySize()} bytes
   * @throws BpfException when the map is not per-CPU
   */
  public Optional<List<byte[]>> lookupPerCpu(byte[] key) {
    args.perCpu("lookup per CPU");
    return lookup(key).map(buf -> PerCpu.split(buf, info.valueSize()));
  }

  /**
   * Per-CPU maps: sets each CPU's value of {@code key}.
   * @param key the key, exactly {@link #keySize()} bytes
   * @param values one value of value size per possible CPU, in CPU order
   * @param flag whether the key may be created, replaced or both
   * @throws BpfException when the map is not per-CPU, or a count or size is wrong
   */
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
   * {@return a cursor over the map in batches ({@code bpf_map_lookup_batch}), or lookup-and-delete
   * batches when {@code delete} is true} It borrows this map's fd; the caller closes it.
   * @param batchSize entries per batch, at least 1; the buffers grow when a hash bucket needs it
   * @param delete true to delete the entries read
   */
  public BatchCursor batchCursor(int batchSize, boolean delete) {
    return new BatchCursor(this, batchSize, delete);
  }

  /**
   * {@return every entry, copied; values are {@link #valueBufferSize()} bytes} Read in batches, or
   * by key where the map type or kernel has no batch lookup.
   */
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

  /** {@return every entry, by {@code get_next_key} and lookup: one syscall pair per entry} */
  public List<Entry> entriesByKey() {
    List<Entry> out = new ArrayList<>();
    for (Optional<byte[]> k = nextKey(null); k.isPresent(); k = nextKey(k.get())) {
      byte[] key = k.get();
      lookup(key).ifPresent(v -> out.add(new Entry(key, v)));
    }
    return out;
  }

  /**
   * {@return how many entries were written} Creates or replaces {@code count} keys and values laid
   * end to end. The kernel's batch update has no NOEXIST/EXIST: it acts as {@link UpdateFlag#ANY}.
   * @param keys a native segment of {@code count} keys of {@link #keySize()} bytes
   * @param values a native segment of {@code count} values of {@link #valueBufferSize()} bytes
   * @param count the number of entries
   * @throws UnsupportedFeatureException where the map type has no batch update
   * @throws BpfException when the kernel stops early: the message says after how many entries
   */
  public int updateBatch(MemorySegment keys, MemorySegment values, int count) {
    return BatchWrites.update(this, keys, values, count);
  }

  /**
   * {@return how many entries were written} The byte-array form of
   * {@link #updateBatch(MemorySegment, MemorySegment, int)}.
   * @param keys keys of {@link #keySize()} bytes
   * @param values as many values, each as {@link #update(byte[], byte[], UpdateFlag)} takes it
   */
  public int updateBatch(List<byte[]> keys, List<byte[]> values) {
    return BatchWrites.update(this, keys, values);
  }

  /**
   * {@return how many keys were deleted} Deletes {@code count} keys laid end to end, in order.
   * @param keys a native segment of {@code count} keys of {@link #keySize()} bytes
   * @param count the number of keys
   * @throws BpfException when a key is absent (ENOENT); the message says how many were deleted
   */
  public int deleteBatch(MemorySegment keys, int count) {
    return BatchWrites.delete(this, keys, count);
  }

  /**
   * {@return how many keys were deleted} As {@link #deleteBatch(MemorySegment, int)}.
   * @param keys keys of {@link #keySize()} bytes
   */
  public int deleteBatch(List<byte[]> keys) {
    return BatchWrites.delete(this, keys);
  }

  /**
   * {@return this map seen through the key and value layouts its BTF gives}
   * @throws LayoutMismatchException when the map has no BTF for its keys or values
   */
  public ParsedMap parsed() {
    return parsed(null, null, false);
  }

  /**
   * {@return this map seen through key and value layouts} Refuses layouts whose size is not the
   * map's key or value size (on per-CPU maps: one CPU's value), and layouts that differ from the
   * map's BTF, naming the first difference.
   * @param keyLayout the key's layout, or null for BTF's
   * @param valueLayout the value's layout, or null for BTF's
   * @throws LayoutMismatchException when a layout does not fit, or is null where BTF has none
   */
  public ParsedMap parsed(RecordLayout keyLayout, RecordLayout valueLayout) {
    return parsed(keyLayout, valueLayout, false);
  }

  /**
   * {@return this map seen through these layouts} As {@link #parsed(RecordLayout, RecordLayout)};
   * {@code trustLayouts} skips the check against BTF.
   * @param keyLayout the key's layout, or null for BTF's
   * @param valueLayout the value's layout, or null for BTF's
   * @param trustLayouts true to take layouts that differ from BTF (sizes must still fit)
   */
  public ParsedMap parsed(RecordLayout keyLayout, RecordLayout valueLayout, boolean trustLayouts) {
    return ParsedMap.of(this, keyLayout, valueLayout, trustLayouts);
  }

  /** {@return what the map's BTF says of its keys and values, read once; empty when it has none} */
  public Optional<MapBtf> btf() {
    MapBtf b = btf;
    if (b == null && info.btfId() != 0) {
      b = MapBtf.read(info);
      btf = b;
    }
    return Optional.ofNullable(b);
  }

  /**
   * {@return this {@link MapFlags#MMAPABLE} array mapped into memory, for the caller to close}
   * Reads see kernel updates at once. The kernel maps only read-write opens.
   * @throws BpfException when the map is not an array created mmapable, or was opened read-only
   */
  public MappedArray mmap() {
    return MappedArray.of(this);
  }

  /** Closes the fd (after calls still running on other threads). Idempotent. */
  @Override
  public void close() {
    fd.close();
  }

  /** {@return true once {@link #close()} was called} */
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

  /** {@return where the map was opened from, as errors name it: its pin path, or {@code id:N}, {@code name:N}} */
  public String target() {
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
