package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ring buffers and perf event arrays filled by a real program through BPF_PROG_TEST_RUN. */
@KernelTest
class EventReaderTest {
  private static final ValueLayout.OfLong SEQ = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
  private static final byte[] PACKET = new byte[64];

  @Test
  void aRingBufferGivesEveryEventOnceInOrder() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventReader r = EventReader.open(obj.map("events"), 0)) {
      obj.program("ring_emit").testRun(PACKET, 5000);
      List<Long> seqs = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      int n;
      while ((n = r.read(777, (cpu, data) -> {
        seqs.add(data.get(SEQ, 0));
        sizes.add(data.byteSize());
        assertThat(cpu).isEqualTo(-1);
      })) > 0) {
        assertThat(n).isLessThanOrEqualTo(777);
      }
      assertThat(seqs).hasSize(5000);
      for (int i = 0; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).isEqualTo(i);
      }
      assertThat(sizes).containsOnly(24L);
      assertThat(r.read(10, (cpu, data) -> { })).isZero();
      assertThat(r.lost()).isZero();
    }
  }

  @Test
  void aFullRingDropsAndTheProgramCountsWhatItDropped() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventReader r = EventReader.open(obj.map("events"), 0)) {
      // 256 KiB of 32-byte records (8-byte header, 24-byte event): the kernel keeps one byte free,
      // so 8191 fit
      obj.program("ring_emit").testRun(PACKET, 10_000);
      long[] count = new long[1];
      long[] last = {-1};
      while (r.read(1000, (cpu, data) -> {
        count[0]++;
        last[0] = data.get(SEQ, 0);
      }) > 0) {
        // drain
      }
      long dropped = obj.map("ring_lost").lookupPerCpu(BpfProgramTest.key(0)).orElseThrow().stream()
          .mapToLong(v -> java.nio.ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong()).sum();
      assertThat(count[0]).isEqualTo(8191);
      assertThat(last[0]).isEqualTo(8190);
      assertThat(dropped).isEqualTo(10_000 - 8191);
    }
  }

  @Test
  void anIdleReaderSleepsUntilAnEventOrAWake() throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventReader r = EventReader.open(obj.map("events"), 0)) {
      CompletableFuture<Long> got = CompletableFuture.supplyAsync(() -> {
        long[] seq = {-1};
        while (seq[0] < 0) {
          r.await(-1);
          r.read(1, (cpu, data) -> seq[0] = data.get(SEQ, 0));
        }
        return seq[0];
      });
      Thread.sleep(200);
      assertThat(got).isNotDone();
      obj.program("ring_emit").testRun(PACKET, 1);
      assertThat(got.get(10, TimeUnit.SECONDS)).isZero();
      CompletableFuture<Void> woken = CompletableFuture.runAsync(() -> r.await(-1));
      Thread.sleep(100);
      r.wake();
      woken.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPerfEventArrayGivesEveryEventAndCountsWhatTheKernelLost() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventReader r = EventReader.open(obj.map("perf_events"), 64)) {
      obj.program("perf_emit").testRun(PACKET, 3000);
      Map<Integer, List<Long>> byCpu = new HashMap<>();
      int total = 0;
      int n;
      while ((n = r.read(100, (cpu, data) -> byCpu.computeIfAbsent(cpu, c -> new ArrayList<>())
          .add(data.get(SEQ, 0)))) > 0) {
        assertThat(n).isLessThanOrEqualTo(100);
        total += n;
      }
      assertThat(total).isEqualTo(3000);
      assertThat(byCpu.values().stream().flatMap(List::stream).sorted().toList())
          .isEqualTo(java.util.stream.LongStream.range(0, 3000).boxed().toList());
      byCpu.values().forEach(seqs -> assertThat(seqs).isSorted());
      assertThat(r.lost()).isZero();
    }
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventReader r = EventReader.open(obj.map("perf_events"), 1)) {
      // one 4 KiB page a CPU holds about a hundred 40-byte samples
      obj.program("perf_emit").testRun(PACKET, 3000);
      long[] count = new long[1];
      while (r.read(1000, (cpu, data) -> count[0]++) > 0) {
        // drain
      }
      assertThat(count[0]).isLessThan(3000);
      int more = BpfPrograms.untilEveryLossReported(obj.program("perf_emit"), () -> {
        while (r.read(1000, (cpu, data) -> count[0]++) > 0) {
          // drain
        }
        return count[0] + r.lost();
      }, 3000);
      assertThat(r.lost()).isPositive();
      assertThat(count[0] + r.lost()).isEqualTo(3000 + more);
    }
  }

  @Test
  void onlyRingsHoldEvents() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      assertThatThrownBy(() -> EventReader.open(obj.map("counters"), 8)).isInstanceOf(BpfException.class)
          .hasMessage("read events on map 'counters': a ARRAY holds no events: give a RINGBUF or "
              + "PERF_EVENT_ARRAY map");
      assertThatThrownBy(() -> EventReader.open(obj.map("perf_events"), 3)).isInstanceOf(BpfException.class)
          .hasMessage("read events on map 'perf_events': perf buffer pages must be a power of two, got 3");
    }
  }
}
