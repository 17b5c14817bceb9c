package io.bpfmap.core.stream;

import io.bpfmap.core.EventReader;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.FluxSink;

/**
 * The reading loop of one subscription to an {@link EventStream}, on its own platform thread,
 * which owns the reader and closes it when the loop ends: it reads while there is demand, sleeps
 * in {@code epoll_wait} while the ring is empty, parks while there is no demand, and completes
 * the Flux when the stream closes.
 */
abstract class RingLoop<T> implements Runnable {
  /** The most records one read of events() takes, so that a stop or a cancel is seen between reads. */
  static final int BATCH = 4096;
  /**
   * The default most records of a batch: large enough that a batch's own cost (a few microseconds)
   * is small per record, small enough that its offsets (two ints a record) stay in the cache.
   */
  static final int BATCH_SIZE = 16_384;

  final EventStream stream;
  final FluxSink<T> sink;
  final EventReader reader;
  private volatile boolean stopped;
  private volatile boolean waiting;
  Thread thread;
  /** When the records of the current read were taken (one clock read per read). */
  Instant now;

  RingLoop(EventStream stream, FluxSink<T> sink, EventReader reader) {
    this.stream = stream;
    this.sink = sink;
    this.reader = reader;
  }

  /** Reads and emits for a demand of {@code want}: the number of records taken from the kernel. */
  abstract int step(long want);

  /** Wakes the thread for new demand, unless it is busy reading anyway. */
  void demanded() {
    if (waiting) {
      LockSupport.unpark(thread);
    }
  }

  void stop() {
    stopped = true;
    LockSupport.unpark(thread);
    reader.wake();
  }

  @Override
  public void run() {
    try (EventReader r = reader) {
      long lostBefore = 0;
      while (!stopped && !stream.closing()) {
        long want = sink.requestedFromDownstream();
        if (want == 0) {
          waiting = true;
          if (sink.requestedFromDownstream() == 0 && !stopped && !stream.closing()) {
            LockSupport.parkNanos(100_000_000L);
          }
          waiting = false;
          continue;
        }
        now = Instant.now();
        int n = step(want);
        stream.losses().kernelLost(r.lost() - lostBefore);
        lostBefore = r.lost();
        if (n > 0) {
          stream.stats().read(n);
        } else if (!stopped && !stream.closing()) {
          r.await(1000);
        }
      }
      sink.complete();
    } catch (RuntimeException e) {
      stream.stats().error(e);
      sink.error(e);
    } finally {
      stream.ended(this);
    }
  }

  /** One event per record, each copied once out of the ring with its hidden fields zeroed. */
  static final class Events extends RingLoop<MapEvent> implements EventReader.Handler {
    Events(EventStream stream, FluxSink<MapEvent> sink, EventReader reader) {
      super(stream, sink, reader);
    }

    @Override
    int step(long want) {
      long before = stream.seq();
      int n = reader.read((int) Math.min(want, BATCH), this);
      stream.stats().emitted(stream.seq() - before);
      return n;
    }

    @Override
    public void onEvent(int cpu, MemorySegment data) {
      RecordView view = stream.view();
      if (!stream.losses().sized(data.byteSize())) {
        return;
      }
      sink.next(new RingEvent(view, stream.nextSeq(), now, cpu, MemorySegment.ofArray(view.copyVisible(data, 0))));
    }
  }

  /** One batch per read: the records copied together once, masked in place. */
  static final class Batches extends RingLoop<EventBatch> {
    private final int size;

    Batches(EventStream stream, FluxSink<EventBatch> sink, EventReader reader, int size) {
      super(stream, sink, reader);
      this.size = size;
    }

    @Override
    int step(long want) {
      EventReader.Records r = reader.readRecords(size);
      if (r.count() == 0) {
        return 0;
      }
      RecordView view = stream.view();
      int need = view.valueLayout().size();
      int[] offsets = r.offsets();
      int kept = 0;
      for (int i = 0; i < r.count(); i++) {
        if (r.lengths()[i] != need && !stream.losses().sized(r.lengths()[i])) {
          continue;
        }
        offsets[kept] = offsets[i];
        if (r.cpus() != null) {
          r.cpus()[kept] = r.cpus()[i];
        }
        kept++;
        if (!view.showsAll()) {
          view.maskInPlace(r.data(), offsets[i]);
        }
      }
      if (kept > 0) {
        EventBatch batch = new EventBatch(view, stream.takeSeq(kept), now, MemorySegment.ofArray(r.data()), offsets,
            r.cpus(), kept, null);
        stream.stats().emitted(kept);
        sink.next(batch);
      }
      return r.count();
    }
  }

  /** One view per read: the records in place in the ring, freed as the subscriber releases them. */
  static final class Views extends RingLoop<EventBatch> {
    private final int size;

    Views(EventStream stream, FluxSink<EventBatch> sink, EventReader reader, int size) {
      super(stream, sink, reader);
      this.size = size;
    }

    @Override
    int step(long want) {
      RecordView view = stream.view();
      EventReader.View v = reader.view(size, view.valueLayout().size());
      if (v == null) {
        return 0;
      }
      stream.losses().sized(v.tooShort(), v.longest());
      if (v.count() == 0) {
        v.release().run();
        return v.tooShort();
      }
      stream.stats().emitted(v.count());
      sink.next(new EventBatch(view, stream.takeSeq(v.count()), now, v.data(), v.offsets(), null, v.count(),
          v.release()));
      return v.count() + v.tooShort();
    }
  }
}
