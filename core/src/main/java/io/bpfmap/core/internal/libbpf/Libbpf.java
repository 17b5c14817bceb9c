package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.bpfmap.core.NativeUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

/**
 * Every libbpf (and the few libc) functions bpfmap calls, each bound at its first call and called
 * with {@code invokeExact}. libbpf 1.x returns {@code -errno} from every call, so a
 * negative result is the negated errno; callers turn it into a {@code BpfException}.
 *
 * <p>This is the only package that makes foreign downcalls (an architecture test enforces it).
 */
public final class Libbpf {
  /** The soname loaded; {@code -Dbpfmap.libbpf=/path/to/libbpf.so.1} overrides it. */
  public static final String SONAME = System.getProperty("bpfmap.libbpf", "libbpf.so.1");

  private static final Linker LINKER = Linker.nativeLinker();
  static final Bound LIB = Bound.load(SONAME);

  private static final NativeFunction MAP_CREATE = LIB.fn("bpf_map_create",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final NativeFunction OBJ_PIN = LIB.fn("bpf_obj_pin",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final NativeFunction OBJ_GET_OPTS = LIB.fn("bpf_obj_get_opts",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final NativeFunction OBJ_GET_INFO = LIB.fn("bpf_obj_get_info_by_fd",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final NativeFunction LOOKUP_ELEM = LIB.fn("bpf_map_lookup_elem",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final NativeFunction UPDATE_ELEM = LIB.fn("bpf_map_update_elem",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  private static final NativeFunction DELETE_ELEM = LIB.fn("bpf_map_delete_elem",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final NativeFunction LOOKUP_AND_DELETE_ELEM = LIB.fn("bpf_map_lookup_and_delete_elem",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final NativeFunction GET_NEXT_KEY = LIB.fn("bpf_map_get_next_key",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final FunctionDescriptor BATCH_READ =
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
  private static final NativeFunction LOOKUP_BATCH = LIB.fn("bpf_map_lookup_batch", BATCH_READ);
  private static final NativeFunction LOOKUP_AND_DELETE_BATCH =
      LIB.fn("bpf_map_lookup_and_delete_batch", BATCH_READ);
  private static final NativeFunction UPDATE_BATCH = LIB.fn("bpf_map_update_batch",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final NativeFunction DELETE_BATCH = LIB.fn("bpf_map_delete_batch",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  private static final NativeFunction NUM_POSSIBLE_CPUS = LIB.fn("libbpf_num_possible_cpus",
      FunctionDescriptor.of(JAVA_INT));
  private static final NativeFunction CLOSE = LIB.libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final NativeFunction DUP_CLOEXEC = LIB.libc("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
      JAVA_INT), Linker.Option.firstVariadicArg(2));
  private static final NativeFunction MAP_GET_NEXT_ID = LIB.fn("bpf_map_get_next_id",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final NativeFunction MAP_GET_FD_BY_ID = LIB.fn("bpf_map_get_fd_by_id",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  /** libbpf 1.1: opens by id with open flags (read-only); missing on libbpf 1.0. */
  private static final NativeFunction MAP_GET_FD_BY_ID_OPTS = LIB.fn("bpf_map_get_fd_by_id_opts",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final NativeFunction BTF_GET_FD_BY_ID = LIB.fn("bpf_btf_get_fd_by_id",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final int F_DUPFD_CLOEXEC = 1030;

  private Libbpf() {}

  /** Throws the one-line reason when libbpf could not be bound; returns quietly otherwise. */
  public static void ensureAvailable() {
    if (LIB.failure != null) {
      throw new NativeUnavailableException(LIB.failure.detail(), LIB.failure);
    }
  }

  /**
   * Opens a libbpf by soname or path and checks that native access is enabled: a clear error
   * naming what to install or which JVM flag to add, instead of an UnsatisfiedLinkError.
   */
  static SymbolLookup open(String soname) {
    Module module = Libbpf.class.getModule();
    if (!module.isNativeAccessEnabled()) {
      String who = module.isNamed() ? module.getName() : "ALL-UNNAMED";
      throw new NativeUnavailableException("native access is not enabled: start java with "
          + "--enable-native-access=" + who, null);
    }
    try {
      return SymbolLookup.libraryLookup(soname, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new NativeUnavailableException(soname + " not found: install libbpf 1.x "
          + "(Debian/Ubuntu: apt-get install libbpf1; Fedora: dnf install libbpf)", e);
    }
  }

  // ---- map lifecycle ----

  public static int mapCreate(int type, MemorySegment name, int keySize, int valueSize, int maxEntries,
      MemorySegment opts) {
    try {
      return (int) MAP_CREATE.handle().invokeExact(type, name, keySize, valueSize, maxEntries, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int objPin(int fd, MemorySegment path) {
    try {
      return (int) OBJ_PIN.handle().invokeExact(fd, path);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int objGet(MemorySegment path, MemorySegment opts) {
    try {
      return (int) OBJ_GET_OPTS.handle().invokeExact(path, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int objGetInfo(int fd, MemorySegment info, MemorySegment infoLen) {
    try {
      return (int) OBJ_GET_INFO.handle().invokeExact(fd, info, infoLen);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int close(int fd) {
    try {
      return (int) CLOSE.handle().invokeExact(fd);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** A second fd for the same object ({@code fcntl(F_DUPFD_CLOEXEC)}): a negative errno on failure. */
  public static int dup(int fd) {
    try {
      return (int) DUP_CLOEXEC.handle().invokeExact(fd, F_DUPFD_CLOEXEC, 0);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** Writes the id of the map after {@code start} into {@code next}; -ENOENT after the last. */
  public static int mapGetNextId(int start, MemorySegment next) {
    try {
      return (int) MAP_GET_NEXT_ID.handle().invokeExact(start, next);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** An fd for the map with this id, read-only when {@code openFlags} says so (and libbpf can). */
  public static int mapGetFdById(int id, int openFlags) {
    try {
      if (openFlags == 0 || !MAP_GET_FD_BY_ID_OPTS.present()) {
        return (int) MAP_GET_FD_BY_ID.handle().invokeExact(id);
      }
      try (Arena a = Arena.ofConfined()) {
        return (int) MAP_GET_FD_BY_ID_OPTS.handle().invokeExact(id, Structs.fdByIdOpts(a, openFlags));
      }
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** True when {@link #mapGetFdById} can open read-only (libbpf 1.1). */
  public static boolean canOpenByIdReadOnly() {
    return MAP_GET_FD_BY_ID_OPTS.present();
  }

  public static int btfGetFdById(int id) {
    try {
      return (int) BTF_GET_FD_BY_ID.handle().invokeExact(id);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int numPossibleCpus() {
    try {
      return (int) NUM_POSSIBLE_CPUS.handle().invokeExact();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  // ---- element operations ----

  public static int lookup(int fd, MemorySegment key, MemorySegment value) {
    try {
      return (int) LOOKUP_ELEM.handle().invokeExact(fd, key, value);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int update(int fd, MemorySegment key, MemorySegment value, long flags) {
    try {
      return (int) UPDATE_ELEM.handle().invokeExact(fd, key, value, flags);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int delete(int fd, MemorySegment key) {
    try {
      return (int) DELETE_ELEM.handle().invokeExact(fd, key);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int lookupAndDelete(int fd, MemorySegment key, MemorySegment value) {
    try {
      return (int) LOOKUP_AND_DELETE_ELEM.handle().invokeExact(fd, key, value);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int nextKey(int fd, MemorySegment key, MemorySegment next) {
    try {
      return (int) GET_NEXT_KEY.handle().invokeExact(fd, key, next);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  // ---- batch operations ----

  public static int lookupBatch(int fd, MemorySegment in, MemorySegment out, MemorySegment keys,
      MemorySegment values, MemorySegment count, MemorySegment opts) {
    try {
      return (int) LOOKUP_BATCH.handle().invokeExact(fd, in, out, keys, values, count, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int lookupAndDeleteBatch(int fd, MemorySegment in, MemorySegment out,
      MemorySegment keys, MemorySegment values, MemorySegment count, MemorySegment opts) {
    try {
      return (int) LOOKUP_AND_DELETE_BATCH.handle().invokeExact(fd, in, out, keys, values, count, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int updateBatch(int fd, MemorySegment keys, MemorySegment values, MemorySegment count,
      MemorySegment opts) {
    try {
      return (int) UPDATE_BATCH.handle().invokeExact(fd, keys, values, count, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  public static int deleteBatch(int fd, MemorySegment keys, MemorySegment count, MemorySegment opts) {
    try {
      return (int) DELETE_BATCH.handle().invokeExact(fd, keys, count, opts);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  static IllegalStateException unexpected(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }

  /** The library (or the reason it is missing), and its functions, bound when first called. */
  record Bound(SymbolLookup lookup, NativeUnavailableException failure) {
    static Bound load(String soname) {
      try {
        return new Bound(open(soname), null);
      } catch (NativeUnavailableException e) {
        return new Bound(null, e);
      }
    }

    NativeFunction fn(String name, FunctionDescriptor descriptor, Linker.Option... options) {
      return new NativeFunction(lookup, failure, name, descriptor, options);
    }

    /** A function of the C library. */
    NativeFunction libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
      return new NativeFunction(lookup == null ? null : LINKER.defaultLookup(), failure, name, descriptor, options);
    }
  }
}
