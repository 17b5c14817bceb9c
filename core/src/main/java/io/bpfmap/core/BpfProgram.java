package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.ElfObjects;
import io.bpfmap.core.internal.libbpf.Programs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A program of a loaded {@link BpfObject}, owned by it: valid until the object closes. It attaches
 * where its ELF section says ({@code tracepoint/sched/sched_process_exec},
 * {@code raw_tracepoint/sys_enter}, {@code kprobe/tcp_v4_connect}, {@code uprobe/…}), as libbpf's
 * {@code bpf_program__attach} does, and runs on given input with {@link #testRun}.
 */
public final class BpfProgram {
  private static final List<String> TYPES = List.of("UNSPEC", "SOCKET_FILTER", "KPROBE", "SCHED_CLS", "SCHED_ACT",
      "TRACEPOINT", "XDP", "PERF_EVENT", "CGROUP_SKB", "CGROUP_SOCK", "LWT_IN", "LWT_OUT", "LWT_XMIT", "SOCK_OPS",
      "SK_SKB", "CGROUP_DEVICE", "SK_MSG", "RAW_TRACEPOINT", "CGROUP_SOCK_ADDR", "LWT_SEG6LOCAL", "LIRC_MODE2",
      "SK_REUSEPORT", "FLOW_DISSECTOR", "CGROUP_SYSCTL", "RAW_TRACEPOINT_WRITABLE", "CGROUP_SOCKOPT", "TRACING",
      "STRUCT_OPS", "EXT", "LSM", "SK_LOOKUP", "SYSCALL", "NETFILTER");

  private final BpfObject owner;
  private final MemorySegment program;
  private final String name;
  private final String section;
  private final int type;

  BpfProgram(BpfObject owner, MemorySegment program) {
    this.owner = owner;
    this.program = program;
    this.name = Programs.name(program);
    this.section = Programs.section(program);
    this.type = Programs.type(program);
  }

  /** {@return the program's name: its C function's name} */
  public String name() {
    return name;
  }

  /** {@return the ELF section it came from, which says where it attaches} */
  public String section() {
    return section;
  }

  /** {@return the kernel's name of its program type ({@code TRACEPOINT}, {@code SOCKET_FILTER}…)} */
  public String type() {
    return type >= 0 && type < TYPES.size() ? TYPES.get(type) : "type " + type;
  }

  /**
   * Attaches the program where its section says. The link belongs to the object, which destroys
   * it on {@link BpfObject#close()} (detaching the program) unless it was {@linkplain BpfLink#pin
   * pinned}.
   *
   * @return the link, to pin or to close early
   * @throws BpfException naming the program, its section and the errno's meaning when the kernel
   *     or libbpf refuses (a section with no automatic attach, a missing symbol, fentry refused…)
   */
  public BpfLink attach() {
    return owner.attach(this);
  }

  /**
   * Runs the program {@code repeat} times in the kernel on {@code data} ({@code BPF_PROG_TEST_RUN}:
   * a packet for socket filters and XDP), with all its side effects on maps and rings. A fast,
   * exact event generator for tests.
   *
   * @param data the input, at least 14 bytes (an Ethernet header) for packet programs
   * @param repeat how many runs, at least 1
   * @return what the last run returned and the mean time of a run
   * @throws BpfException when the kernel cannot test-run this program type
   */
  public TestRun testRun(byte[] data, int repeat) {
    if (repeat < 1) {
      throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment in = a.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, in, ValueLayout.JAVA_BYTE, 0, data.length);
      Programs.TestRun r = Programs.testRun(fd(), in.asSlice(0, data.length), repeat);
      if (r.rc() < 0) {
        throw new BpfException("test run", target(), -r.rc(), "section " + section + ", type " + type());
      }
      return new TestRun(r.retval(), r.durationNanos());
    }
  }

  /**
   * What a {@link #testRun} returned.
   *
   * @param retval what the program's last run returned
   * @param meanNanos the mean time of a run in the kernel, in nanoseconds
   */
  public record TestRun(int retval, long meanNanos) {}

  int fd() {
    owner.checkOpen("use program", target());
    return Programs.fd(program);
  }

  MemorySegment handle() {
    return program;
  }

  String target() {
    return "program '" + name + "'";
  }

  /** One line for a refused attach, with libbpf's last word on it when it said one. */
  BpfException attachFailure(int errno, List<String> said) {
    String last = said.isEmpty() ? "" : ": " + said.getLast().replaceFirst("^libbpf: ", "")
        .replaceFirst("^prog '" + java.util.regex.Pattern.quote(name) + "': ", "");
    boolean tracepoint = section.startsWith("tracepoint/") || section.startsWith("tp/");
    String hint = tracepoint && !java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/kernel/tracing/events"))
        && !java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/kernel/debug/tracing/events"))
        ? " (tracefs is not mounted: mount -t tracefs tracefs /sys/kernel/tracing)" : "";
    return new BpfException("attach", target(), errno, "section " + section + last + hint);
  }

  static List<String> libbpfSays(Runnable call) {
    List<String> said = new ArrayList<>();
    ElfObjects.logged(said, () -> {
      call.run();
      return null;
    });
    return said;
  }

  @Override
  public String toString() {
    return "BpfProgram[" + name + ", " + section + ", " + type() + "]";
  }
}
