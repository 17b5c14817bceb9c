package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Programs of a real object attach where their sections say, refuse in one line, and detach. */
@KernelTest
class BpfProgramTest {
  private static final int SEEN = 1;
  private static final int TGID = 2;

  @Test
  void listsProgramsWithSectionsAndTypes() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      assertThat(obj.programs()).extracting(BpfProgram::name)
          .containsExactly("ring_emit", "perf_emit", "count_syscalls", "count_raw", "probe_missing");
      BpfProgram tp = obj.program("count_syscalls");
      assertThat(tp.section()).isEqualTo("tracepoint/raw_syscalls/sys_enter");
      assertThat(tp.type()).isEqualTo("TRACEPOINT");
      assertThat(obj.program("count_raw").type()).isEqualTo("RAW_TRACEPOINT");
      assertThat(obj.program("ring_emit").type()).isEqualTo("SOCKET_FILTER");
      assertThatThrownBy(() -> obj.program("nope")).isInstanceOf(BpfException.class)
          .hasMessage("find program on " + obj.name() + ": ENOENT (No such file or directory): no program 'nope' in "
              + "the object (it has ring_emit, perf_emit, count_syscalls, count_raw, probe_missing)");
    }
  }

  @Test
  void tracepointAndRawTracepointRunWhileAttachedAndStopWhenTheLinkCloses() throws IOException {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      BpfMap counters = obj.map("counters");
      counters.update(key(TGID), u64(ProcessHandle.current().pid()));
      for (String name : List.of("count_syscalls", "count_raw")) {
        counters.update(key(SEEN), u64(0));
        BpfLink link = obj.program(name).attach();
        assertThat(obj.links()).containsExactly(link);
        makeSyscalls();
        long whileAttached = read(counters, SEEN);
        assertThat(whileAttached).as(name + " counts this JVM's syscalls").isPositive();
        link.close();
        assertThat(obj.links()).isEmpty();
        assertStopsCounting(counters, name + " no longer runs once detached");
      }
    }
  }

  @Test
  void closingTheObjectDetachesUnlessTheLinkIsPinned(PinDir dir) throws IOException {
    Path countersPin = dir.resolve("counters");
    Path linkPin = dir.resolve("link");
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      obj.map("counters").pin(countersPin);
      obj.map("counters").update(key(TGID), u64(ProcessHandle.current().pid()));
      obj.attach(List.of("count_syscalls"));
    }
    try (BpfMap counters = BpfMap.openPinned(countersPin)) {
      assertStopsCounting(counters, "detached with its object");
    }
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      obj.map("counters").update(key(TGID), u64(ProcessHandle.current().pid()));
      obj.map("counters").pin(dir.resolve("counters2"));
      BpfLink link = obj.program("count_syscalls").attach();
      link.pin(linkPin);
      assertThat(link.pinned()).isEqualTo(linkPin);
    }
    try (BpfMap counters = BpfMap.openPinned(dir.resolve("counters2"))) {
      long atClose = read(counters, SEEN);
      makeSyscalls();
      assertThat(read(counters, SEEN)).as("a pinned link outlives its object").isGreaterThan(atClose);
      Files.delete(linkPin);
      assertStopsCounting(counters, "removing the pin detaches");
    }
  }

  @Test
  void refusalsNameTheProgramTheSectionAndTheErrno() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      assertThatThrownBy(() -> obj.program("probe_missing").attach()).isInstanceOf(BpfException.class)
          .hasMessageStartingWith("attach on program 'probe_missing': ENOENT (No such file or directory): "
              + "section kprobe/bpfmap_no_such_function")
          .hasMessageNotContaining("\n");
      assertThatThrownBy(() -> obj.program("ring_emit").attach()).isInstanceOf(BpfException.class)
          .hasMessageStartingWith("attach on program 'ring_emit': EOPNOTSUPP (Operation not supported): "
              + "section socket")
          .hasMessageNotContaining("\n");
      assertThatThrownBy(() -> obj.attach(List.of("count_syscalls", "probe_missing")))
          .hasMessageStartingWith("attach on program 'probe_missing'");
      assertThat(obj.links()).as("all or nothing").isEmpty();
      // all: the socket filters, which no section attaches, are left out; the missing kprobe still fails
      assertThatThrownBy(() -> obj.attach(List.of())).hasMessageStartingWith("attach on program 'probe_missing'");
      assertThat(obj.links()).isEmpty();
    }
  }

  @Test
  void aProgramTheVerifierRefusesIsNamedWithItsSectionInOneLine() {
    java.nio.file.Path object = BpfPrograms.compile("refused");
    assertThatThrownBy(() -> BpfObject.open(object)).isInstanceOf(BpfException.class)
        .hasMessage("load BPF object on " + object + ": EINVAL (Invalid argument): program 'gpl_only' "
            + "(section tracepoint/syscalls/sys_enter_getpid): the verifier said: cannot call GPL-restricted function "
            + "from non-GPL compatible program")
        .hasMessageNotContaining("\n");
  }

  @Test
  void attachingAllLeavesOutWhatNoSectionAttaches() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("mixed"))) {
      assertThat(obj.attach(List.of())).extracting(l -> l.program().name()).containsExactly("on_enter");
      assertThatThrownBy(() -> obj.attach(List.of("filter"))).hasMessageStartingWith(
          "attach on program 'filter': EOPNOTSUPP (Operation not supported): section socket");
    }
  }

  @Test
  void aClosedObjectRefusesToAttachOrRun() {
    BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
    BpfProgram p = obj.program("ring_emit");
    obj.close();
    assertThatThrownBy(() -> p.testRun(new byte[64], 1)).isInstanceOf(BpfException.class)
        .hasMessage("use program on program 'ring_emit': the BPF object " + obj.name() + " is closed");
    assertThatThrownBy(() -> p.attach()).isInstanceOf(BpfException.class)
        .hasMessage("attach on program 'ring_emit': the BPF object " + obj.name() + " is closed");
  }

  /**
   * The kernel frees a link whose last reference went away in deferred work, so the program may run
   * a moment longer: the count must stop growing within 2 s.
   */
  private static void assertStopsCounting(BpfMap counters, String what) throws IOException {
    long before = -1;
    long after = 0;
    for (int i = 0; i < 40 && before != after; i++) {
      sleep(50);
      before = read(counters, SEEN);
      makeSyscalls();
      after = read(counters, SEEN);
    }
    assertThat(after).as(what).isEqualTo(before);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void makeSyscalls() throws IOException {
    for (int i = 0; i < 50; i++) {
      Files.readString(Path.of("/proc/self/stat"));
    }
  }

  static byte[] key(int i) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(i).array();
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
  }

  static long read(BpfMap m, int i) {
    return ByteBuffer.wrap(m.lookup(key(i)).orElseThrow()).order(ByteOrder.nativeOrder()).getLong();
  }
}
