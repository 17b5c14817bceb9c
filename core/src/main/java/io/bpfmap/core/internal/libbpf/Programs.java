package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * libbpf's program and link API ({@code bpf_program__*}, {@code bpf_link__*}) and
 * {@code bpf_prog_test_run_opts}: walk an object's programs, attach one by its section, pin or
 * destroy the link, run a program on given input.
 */
public final class Programs {
  private static final Libbpf.Bound LIB = Libbpf.LIB;
  private static final NativeFunction NEXT_PROGRAM = LIB.fn("bpf_object__next_program",
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  private static final NativeFunction NAME = LIB.fn("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final NativeFunction SECTION = LIB.fn("bpf_program__section_name",
      FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final NativeFunction FD = LIB.fn("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction TYPE = LIB.fn("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction ATTACH = LIB.fn("bpf_program__attach",
      FunctionDescriptor.of(ADDRESS, ADDRESS), CallState.ERRNO);
  private static final NativeFunction LINK_PIN = LIB.fn("bpf_link__pin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final NativeFunction LINK_DESTROY = LIB.fn("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction TEST_RUN = LIB.fn("bpf_prog_test_run_opts",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  /** {@code struct bpf_test_run_opts} of libbpf 1.0, and the offsets bpfmap sets and reads. */
  private static final long TEST_RUN_OPTS_SIZE = 80;

  private Programs() {}

  /** An attach's link, or the errno libbpf set when it is {@code null}. */
  public record Attached(MemorySegment link, int errno) {}

  /**
   * What a test run returned: 0 or a negative errno, the program's return value and its mean
   * duration per run in ns.
   */
  public record TestRun(int rc, int retval, int durationNanos) {}

  /** The object's programs, in the order libbpf holds them. */
  public static List<MemorySegment> programs(MemorySegment obj) {
    List<MemorySegment> out = new ArrayList<>();
    try {
      MemorySegment p = MemorySegment.NULL;
      while (true) {
        p = (MemorySegment) NEXT_PROGRAM.handle().invokeExact(obj, p);
        if (p.address() == 0) {
          return out;
        }
        out.add(p);
      }
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  public static String name(MemorySegment prog) {
    return string(NAME, prog);
  }

  /** The ELF section the program came from ({@code tracepoint/syscalls/sys_enter_execve}…). */
  public static String section(MemorySegment prog) {
    return string(SECTION, prog);
  }

  /** The program's fd, owned by the object; negative when it is not loaded. */
  public static int fd(MemorySegment prog) {
    try {
      return (int) FD.handle().invokeExact(prog);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** The program's {@code enum bpf_prog_type}. */
  public static int type(MemorySegment prog) {
    try {
      return (int) TYPE.handle().invokeExact(prog);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Attaches the program where its section says. */
  public static Attached attach(MemorySegment prog) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = CallState.allocate(call);
      MemorySegment link = (MemorySegment) ATTACH.handle().invokeExact(state, prog);
      return link.address() == 0 ? new Attached(null, CallState.errno(state)) : new Attached(link, 0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Pins the link at {@code path}: 0, or a negative errno. */
  public static int pinLink(MemorySegment link, MemorySegment path) {
    try {
      return (int) LINK_PIN.handle().invokeExact(link, path);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Detaches (unless pinned) and frees the link: 0, or a negative errno. */
  public static int destroyLink(MemorySegment link) {
    try {
      return (int) LINK_DESTROY.handle().invokeExact(link);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /**
   * Runs the program {@code repeat} times on {@code data} (a packet for socket filters).
   */
  public static TestRun testRun(int progFd, MemorySegment data, int repeat) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment opts = call.allocate(TEST_RUN_OPTS_SIZE, 8);
      opts.set(JAVA_LONG, 0, TEST_RUN_OPTS_SIZE);
      opts.set(ADDRESS, 8, data);
      opts.set(JAVA_INT, 24, (int) data.byteSize());
      opts.set(JAVA_INT, 60, repeat);
      int rc = (int) TEST_RUN.handle().invokeExact(progFd, opts);
      return new TestRun(rc, opts.get(JAVA_INT, 56), opts.get(JAVA_INT, 64));
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  private static String string(NativeFunction fn, MemorySegment prog) {
    try {
      MemorySegment s = (MemorySegment) fn.handle().invokeExact(prog);
      return s.address() == 0 ? "" : s.reinterpret(Long.MAX_VALUE).getString(0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }
}
