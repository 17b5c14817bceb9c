package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an {@link EventStream} could not deliver: records lost to a full ring (what the kernel
 * reported for a perf event array, what the program counted in its lost-counter map for a ring
 * buffer), and records that do not fit the layout (shorter ones skipped and counted, longer ones
 * decoded from their start; each said once, as the stream's log).
 */
final class RingLosses {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

  private final RecordView view;
  private final BpfMap counter;
  private final AtomicLong kernelLost = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private volatile long counterBase = -1;
  private volatile boolean warnedShort;
  private volatile boolean warnedLong;

  /** @throws BpfException when {@code counter} is not an array of 64-bit counters */
  RingLosses(RecordView view, BpfMap counter) {
    if (counter != null) {
      MapType t = counter.info().type();
      if ((t != MapType.ARRAY && t != MapType.PERCPU_ARRAY) || counter.keySize() != 4
          || counter.info().valueSize() < 8) {
        throw CycleReader.error(view.map(), "the lost counter '" + counter.name() + "' is a " + t + " with "
            + counter.keySize() + "-byte keys and " + counter.info().valueSize() + "-byte values: give an "
            + "ARRAY or PERCPU_ARRAY whose 64-bit value at key 0 the program increments");
      }
    }
    this.view = view;
    this.counter = counter;
  }

  /** The stream's first subscription: the program's count from here on is what it lost. */
  void started() {
    if (counterBase < 0 && counter != null) {
      counterBase = counted();
    }
  }

  /** Records the kernel reported lost (a perf event array's). */
  void kernelLost(long n) {
    if (n != 0) {
      kernelLost.addAndGet(n);
    }
  }

  long lost() {
    long c = counter == null || counterBase < 0 ? 0 : counted() - counterBase;
    return kernelLost.get() + c;
  }

  long malformed() {
    return malformed.get();
  }

  /**
   * A record of {@code bytes} bytes met: one shorter than the layout is skipped and counted, one
   * longer is decoded from its start; each is said once (a wrong {@code value:} layout looks so).
   * Returns false for a record to skip.
   */
  boolean sized(long bytes) {
    int layout = view.valueLayout().size();
    if (bytes < layout) {
      skippedShort(1, "a record of " + bytes + " bytes is");
      return false;
    }
    if (bytes > layout && !warnedLong) {
      warnedLong = true;
      LOG.warn("ring '{}': a record of {} bytes is longer than its layout ({} bytes): it is decoded from its start; "
          + "if the program writes another type, check the ring's layout", view.map(), bytes, layout);
    }
    return true;
  }

  /** Records a view passed over as shorter than the layout, and the longest it took. */
  void sized(int tooShort, int longest) {
    if (tooShort > 0) {
      skippedShort(tooShort, tooShort + " record(s) are");
    }
    if (longest > 0) {
      sized(longest);
    }
  }

  private void skippedShort(int n, String what) {
    malformed.addAndGet(n);
    if (!warnedShort) {
      warnedShort = true;
      LOG.warn("ring '{}': {} shorter than its layout ({} bytes): such records are skipped and counted in "
          + "bpfmap_events_malformed_total; check the ring's layout", view.map(), what, view.valueLayout().size());
    }
  }

  /** The program's count: the 64-bit value at key 0, summed over CPUs; 0 when it cannot be read. */
  private long counted() {
    try {
      int stride = Math.max(8, (counter.info().valueSize() + 7) & ~7);
      return counter.lookup(new byte[counter.keySize()]).map(v -> {
        MemorySegment s = MemorySegment.ofArray(v);
        long sum = 0;
        for (long off = 0; off + 8 <= v.length; off += stride) {
          sum += s.get(U64, off);
        }
        return sum;
      }).orElse(0L);
    } catch (BpfException e) {
      return 0;
    }
  }
}
