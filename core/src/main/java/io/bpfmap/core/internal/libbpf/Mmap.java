package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * {@code mmap(2)} of a map fd (BPF_F_MMAPABLE arrays, ring buffers), with errno captured by the
 * linker.
 */
public final class Mmap {
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;

  private static final NativeFunction MMAP = Libbpf.LIB.libc("mmap",
      FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CallState.ERRNO);
  private static final NativeFunction MUNMAP = Libbpf.LIB.libc("munmap",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

  private static final NativeFunction SYSCONF = Libbpf.LIB.libc("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
  private static final int SC_PAGESIZE = 30;

  private Mmap() {}

  /** The size of a memory page ({@code sysconf(_SC_PAGESIZE)}): what mmap offsets are multiples of. */
  public static long pageSize() {
    try {
      return (long) SYSCONF.handle().invokeExact(SC_PAGESIZE);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Result of {@link #map}: the mapping, or the errno when it is {@code null}. */
  public record Result(MemorySegment segment, int errno) {}

  /**
   * Maps {@code length} bytes of {@code fd} shared; the mapping is unmapped when {@code arena}
   * closes.
   */
  public static Result map(int fd, long length, boolean writable, Arena arena) {
    return map(fd, length, 0, writable, arena);
  }

  /** Maps {@code length} bytes of {@code fd} from {@code offset} (a multiple of the page size). */
  public static Result map(int fd, long length, long offset, boolean writable, Arena arena) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = CallState.allocate(call);
      int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
      MemorySegment addr = (MemorySegment) MMAP.handle().invokeExact(state, MemorySegment.NULL, length, prot,
          MAP_SHARED, fd, offset);
      if (addr.address() == -1L) {
        return new Result(null, CallState.errno(state));
      }
      return new Result(addr.reinterpret(length, arena, s -> unmap(s, length)), 0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  private static void unmap(MemorySegment segment, long length) {
    try {
      int rc = (int) MUNMAP.handle().invokeExact(segment, length);
      assert rc == 0;
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }
}
