package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.BpfProgram;
import io.bpfmap.core.EventReader;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapEvent;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import reactor.core.publisher.BaseSubscriber;

/**
 * Ring buffer records out of the kernel: events/s of an {@link EventStream} into a counting
 * subscriber, and of a bare {@link EventReader} with a no-op handler, against libbpf's
 * {@code ring_buffer__consume} with a counting callback ({@code c/ringbench.c}), all on the same
 * program ({@code c/ringbench.bpf.c}) and record size in the same run.
 *
 * <p>Every side does the same round: test runs of the program write N records into the 128 MiB
 * ring while nobody consumes, then a fresh consumer drains exactly N. Only the draining is timed:
 * from before the first read to the N-th record for the reader and for C (opening the consumer,
 * which maps the ring, is not), from the first record's arrival to the N-th for the stream, whose
 * reader opens and thread starts as it is subscribed. Blocks of C and Java rounds alternate so
 * that drift hits both, and each consumer is compared with the C rounds beside its own
 * ({@code c_eps}: those beside the views'): a round drains 400 000 256-byte records in about 4 ms,
 * so the machine's drift between the consumers' turns moved a ratio against C rounds pooled from
 * all of them by up to 25 % between runs.
 */
final class RingBench {
  private static final byte[] PACKET = new byte[64];
  private static final int BLOCKS = 9;
  private static final int ROUNDS = 3;
  private static final EventReader.Handler NO_OP = (cpu, data) -> {};

  /** A program of ringbench.bpf.c, its record type and the records of a round. */
  private record Size(String name, String program, String type, int n) {}

  private static final List<Size> SIZES = List.of(
      new Size("ring.32B", "ring_emit32", "struct event32", 2_000_000),
      new Size("ring.256B", "ring_emit256", "struct event256", 400_000));

  private RingBench() {}

  static void run() {
    Path object = Path.of(System.getProperty("bpfmap.bench.ring.object", "benchmarks/build/ringbench.bpf.o"));
    try (BpfObject obj = BpfObject.open(object)) {
      BpfMap ring = obj.map("events");
      Map<Size, Figures> figures = new LinkedHashMap<>();
      // every reader round before any stream round: once the stream's handler reaches the reader's
      // loop too, the JIT no longer removes the slice made per record (40 B each, a quarter slower)
      for (Size size : SIZES) {
        Figures f = new Figures();
        figures.put(size, f);
        BpfProgram emit = obj.program(size.program());
        measure(object, size, f.reader, () -> readerRound(emit, ring, size.n()));
      }
      for (Size size : SIZES) {
        Figures f = figures.get(size);
        BpfProgram emit = obj.program(size.program());
        RecordLayout layout = obj.layout(size.type());
        measure(object, size, f.views, () -> batchRound(emit, ring, layout, size.n(), true));
        measure(object, size, f.batches, () -> batchRound(emit, ring, layout, size.n(), false));
        f.cCopy.addAll(cReference(object, size, BLOCKS * ROUNDS, true));
        measure(object, size, f.stream, () -> streamRound(emit, ring, layout, size.n()));
        long dropped = counter(obj.map("counters"), 1);
        if (dropped != 0) {
          throw new IllegalStateException(size.program() + " dropped " + dropped + " records: the ring is too small");
        }
        Bench.report(size.name(), "view_eps", f.views.eps, "c_eps", f.views.c,
            figure("batch", f.batches), figure("stream", f.stream), figure("reader", f.reader),
            "c_copy_eps=" + Bench.range(f.cCopy),
            String.format(Locale.ROOT, "batch_vs_c_copy=%.2f", ReadBench.median(f.batches.eps)
                / ReadBench.median(f.cCopy)),
            "record_bytes=" + layout.size(), "events_per_round=" + size.n(),
            "view_alloc_b_per_event=" + f.views.allocPerEvent(size.n()),
            "batch_alloc_b_per_event=" + f.batches.allocPerEvent(size.n()),
            "stream_alloc_b_per_event=" + f.stream.allocPerEvent(size.n()),
            "reader_alloc_b_per_event=" + f.reader.allocPerEvent(size.n()));
      }
    }
  }

  /** {@code NAME_eps=median (min-max) NAME_ratio=median/(median of the C rounds beside them)}. */
  private static String figure(String name, Rounds r) {
    return name + "_eps=" + Bench.range(r.eps) + " "
        + String.format(Locale.ROOT, "%s_ratio=%.2f", name, ReadBench.median(r.eps) / ReadBench.median(r.c));
  }

  /** The rounds of one consumer: events/s, the bytes the JVM allocated during them, and C's beside them. */
  private static final class Rounds {
    final List<Double> eps = new ArrayList<>();
    final List<Double> c = new ArrayList<>();
    long allocated;

    long allocPerEvent(int n) {
      return Math.round(allocated / ((double) eps.size() * n));
    }
  }

  /** What a record size collects: its Java consumers' rounds and the C rounds run beside them. */
  private static final class Figures {
    final Rounds reader = new Rounds();
    final Rounds stream = new Rounds();
    final Rounds batches = new Rounds();
    final Rounds views = new Rounds();
    /** The C consumer that copies every record, as one that keeps its events must. */
    final List<Double> cCopy = new ArrayList<>();
  }

  /** Warms {@code round} up, then runs blocks of C rounds and of its rounds in turn. */
  private static void measure(Path object, Size size, Rounds rounds, DoubleSupplier round) {
    for (int i = 0; i < 3; i++) {  // warm-up: the JIT
      round.getAsDouble();
    }
    for (int block = 0; block < BLOCKS; block++) {
      rounds.c.addAll(cReference(object, size, ROUNDS, false));
      for (int i = 0; i < ROUNDS; i++) {
        long before = Bench.allocatedBytes();
        rounds.eps.add(round.getAsDouble());
        rounds.allocated += Bench.allocatedBytes() - before;
      }
    }
  }

  /** Fills the ring with {@code n} records, then drains them through a fresh stream; returns events/s. */
  static double streamRound(BpfProgram emit, BpfMap ring, RecordLayout layout, int n) {
    emit.testRun(PACKET, n);
    Counting sub = new Counting(n);
    try (EventStream stream = EventStream.builder(ring).valueLayout(layout).build()) {
      stream.events().subscribe(sub);
      try {
        if (!sub.done.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the stream delivered " + sub.count + " of " + n + " events in 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sub.dispose();
    }
    return (n - 1) / ((sub.last - sub.first) / 1e9);
  }

  /**
   * Fills the ring with {@code n} records, then drains them through a fresh stream's batches (in
   * place with {@code views}: each released once counted; else copies); returns events/s from the
   * first batch's arrival to the last (the first batch not counted).
   */
  static double batchRound(BpfProgram emit, BpfMap ring, RecordLayout layout, int n, boolean views) {
    emit.testRun(PACKET, n);
    CountDownLatch done = new CountDownLatch(1);
    long[] seen = new long[4];  // count, first batch's size, first and last arrival
    try (EventStream stream = EventStream.builder(ring).valueLayout(layout).build()) {
      var sub = (views ? stream.views() : stream.batches()).subscribe(b -> {
        if (seen[0] == 0) {
          seen[1] = b.size();
          seen[2] = System.nanoTime();
        }
        seen[0] += b.size();
        b.release();
        if (seen[0] >= n) {
          seen[3] = System.nanoTime();
          done.countDown();
        }
      });
      try {
        if (!done.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the batches held " + seen[0] + " of " + n + " events in 60 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sub.dispose();
    }
    return (n - seen[1]) / ((seen[3] - seen[2]) / 1e9);
  }

  /** Fills the ring with {@code n} records, then drains them with a fresh reader; returns events/s. */
  static double readerRound(BpfProgram emit, BpfMap ring, int n) {
    emit.testRun(PACKET, n);
    try (EventReader reader = EventReader.open(ring, 1)) {
      long got = 0;
      long t0 = System.nanoTime();
      while (got < n) {
        int k = reader.read((int) (n - got), NO_OP);
        if (k == 0) {
          throw new IllegalStateException("the ring was empty after " + got + " of " + n + " records");
        }
        got += k;
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /** Counts events; notes when the first and the {@code n}-th came. */
  private static final class Counting extends BaseSubscriber<MapEvent> {
    private final long n;
    private final CountDownLatch done = new CountDownLatch(1);
    private long count;
    private long first;
    private long last;

    Counting(long n) {
      this.n = n;
    }

    @Override
    protected void hookOnNext(MapEvent event) {
      if (count == 0) {
        first = System.nanoTime();
      }
      if (++count == n) {
        last = System.nanoTime();
        done.countDown();
      }
    }
  }

  /** Runs the C consumer for {@code rounds} rounds on its own load of the object; returns its events/s. */
  static List<Double> cReference(Path object, Size size, int rounds, boolean copy) {
    String bin = System.getProperty("bpfmap.bench.ring", "benchmarks/build/ringbench");
    try {
      List<String> cmd = new ArrayList<>(List.of(bin, object.toString(), size.program(), String.valueOf(size.n()),
          String.valueOf(rounds)));
      if (copy) {
        cmd.add("copy");
      }
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !out.startsWith("c_eps=")) {
        throw new IllegalStateException("C reference failed: " + out);
      }
      String[] parts = out.split(" ");
      ReadBench.check(Long.parseLong(parts[1].substring("events=".length())), size.n());
      if (!parts[2].equals("dropped=0")) {
        throw new IllegalStateException("the C reference's ring dropped records: " + out);
      }
      return Arrays.stream(parts[0].substring("c_eps=".length()).split(",")).map(Double::valueOf).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run the C reference " + bin + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long counter(BpfMap counters, int index) {
    byte[] key = new byte[4];
    MemorySegment.ofArray(key).set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0, index);
    return counters.lookup(key)
        .map(v -> MemorySegment.ofArray(v).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder()), 0))
        .orElse(0L);
  }

}
