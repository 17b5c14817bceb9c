package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/** {@code mmap(2)} of a map fd (BPF_F_MMAPABLE arrays), with errno captured by the linker. */
public final class Mmap {
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;

  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
  private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_VALUE =
      STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final NativeFunction MMAP = Libbpf.LIB.libc("mmap",
      FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO);
  private static final NativeFunction MUNMAP = Libbpf.LIB.libc("munmap",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

  private Mmap() {}

  /** Result of {@link #map}: the mapping, or the errno when it is {@code null}. */
  public record Result(MemorySegment segment, int errno) {}

  /**
   * Maps {@code length} bytes of {@code fd} shared; the mapping is unmapped when {@code arena}
   * closes.
   */
  public static Result map(int fd, long length, boolean writable, Arena arena) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = call.allocate(STATE);
      int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
      MemorySegment addr = (MemorySegment) MMAP.handle().invokeExact(state, MemorySegment.NULL, length, prot,
          MAP_SHARED, fd, 0L);
      if (addr.address() == -1L) {
        return new Result(null, (int) ERRNO_VALUE.get(state, 0L));
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
