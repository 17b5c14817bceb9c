package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.EventReader;
import io.bpfmap.core.MapType;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * The records BPF programs write into a ring buffer or a perf event array, as a {@link Flux} of
 * {@link MapEvent.Kind#EVENT} events, decoded by a value layout and masked.
 *
 * <p><b>Backpressure:</b> a record is taken out of the kernel only when the subscriber has asked
 * for it, so a slow subscriber leaves records in the ring; when the ring is full the kernel drops
 * what the programs write next, and {@link #lost()} counts what can be known of it. An idle
 * stream sleeps in {@code epoll_wait}: no CPU is used while no record comes.
 *
 * <p><b>Threads and sharing:</b> the Flux is shared: every subscriber gets every event, at the
 * pace of the slowest, with at most the prefetch ({@link Builder#prefetch}) held ahead of it. The
 * first read waits for {@link Builder#subscribers} subscribers. While subscribed, the stream reads
 * on its own platform thread, which owns the reader (the ring's mapping and descriptors) and
 * closes it when the last subscriber leaves.
 *
 * <p><b>Errors and end:</b> a kernel error ends the Flux with a {@link BpfException} naming the
 * ring. {@link #close()} completes it after delivering every record already taken out of the
 * ring: stop a stream with {@code close()}, not by cancelling, to lose none of those. A record
 * shorter than the layout is skipped and counted in {@link #malformed()}; a longer one is decoded
 * from its start.
 */
public final class EventStream implements AutoCloseable {

  private final BpfMap ring;
  private final RecordView view;
  private final int perfPages;
  private final RingLosses losses;
  private final StreamStats stats;
  private final Flux<MapEvent> events;
  private final Flux<EventBatch> batches;
  private final Flux<EventBatch> views;
  private final AtomicBoolean reading = new AtomicBoolean();
  private long seq;
  private volatile boolean closing;
  private volatile RingLoop<?> running;

  private EventStream(Builder b) {
    MapType type = b.ring.info().type();
    if (type != MapType.RINGBUF && type != MapType.PERF_EVENT_ARRAY) {
      throw CycleReader.error(b.name, "a " + type + " holds no events: events come from a RINGBUF or "
          + "PERF_EVENT_ARRAY map");
    }
    if (b.layout == null) {
      throw CycleReader.error(b.name, "an event stream needs the layout of its records (a ring has no BTF type "
          + "for them)");
    }
    this.ring = b.ring;
    this.view = new RecordView(b.name, null, b.mask.compile(b.layout));
    this.perfPages = b.perfPages;
    this.losses = new RingLosses(view, b.lostCounter);
    this.stats = new StreamStats(b.name);
    this.events = Flux.<MapEvent>create(sink -> start(sink, r -> new RingLoop.Events(this, sink, r)),
        FluxSink.OverflowStrategy.ERROR).publish(b.prefetch).refCount(b.subscribers);
    int batchSize = b.batchSize;
    this.batches = Flux.<EventBatch>create(sink -> start(sink, r -> new RingLoop.Batches(this, sink, r, batchSize)),
        FluxSink.OverflowStrategy.ERROR).publish(2).refCount(b.subscribers);
    // Not shared: a view is released by its one subscriber. One dropped on the way (a cancel) is
    // released by the discard hook.
    this.views = Flux.<EventBatch>create(sink -> startViews(sink, batchSize), FluxSink.OverflowStrategy.ERROR)
        .doOnDiscard(EventBatch.class, EventBatch::release);
  }

  /**
   * A builder for a stream over {@code ring}, a {@link MapType#RINGBUF} or
   * {@link MapType#PERF_EVENT_ARRAY} open read-write, which the stream does not close.
   *
   * @param ring the map the programs write into
   * @return a builder; its layout is required
   */
  public static Builder builder(BpfMap ring) {
    return new Builder(ring);
  }

  /**
   * {@return the events, shared by every subscriber} Each record is copied once out of the ring
   * (its hidden fields zeroed) into its event.
   */
  public Flux<MapEvent> events() {
    return events;
  }

  /**
   * {@return the events in batches, shared by every subscriber} Each batch holds what one read
   * took out of the kernel, at most {@link Builder#batchSize} records, copied together once; a
   * request is for batches, so up to a batch is read ahead of a subscriber's need. While this
   * Flux reads, {@link #events()} cannot, and the other way round: a ring has one reader.
   */
  public Flux<EventBatch> batches() {
    return batches;
  }

  /**
   * {@return the events in batches read in place: no copy at all} Each batch is a view of the
   * ring's own memory holding at most {@link Builder#batchSize} records, and the subscriber must
   * {@linkplain EventBatch#release() release} every batch it gets: the ring's space is freed as
   * batches are released, so batches held back keep the programs' records out of the ring (the
   * kernel drops what does not fit). Ring buffers only, one subscriber, and a mask that hides
   * nothing (a view cannot zero bytes); while it reads, {@link #events()} and {@link #batches()}
   * cannot. Batches a cancel drops are released.
   */
  public Flux<EventBatch> views() {
    return views;
  }

  private void startViews(FluxSink<EventBatch> sink, int batchSize) {
    if (ring.info().type() != MapType.RINGBUF) {
      sink.error(CycleReader.error(view.map(), "views() reads ring buffers in place: a " + ring.info().type()
          + "'s records are copied (use batches())"));
    } else if (!view.showsAll()) {
      sink.error(CycleReader.error(view.map(), "views() hands records in place, where hidden fields cannot be "
          + "zeroed: with a mask that hides fields, use batches()"));
    } else {
      start(sink, r -> new RingLoop.Views(this, sink, r, batchSize));
    }
  }

  /** Starts reading for a shared subscription: the reader opens here, the loop's thread owns it. */
  private <T> void start(FluxSink<T> sink, java.util.function.Function<EventReader, RingLoop<T>> loops) {
    if (closing) {
      sink.complete();
      return;
    }
    if (!reading.compareAndSet(false, true)) {
      sink.error(CycleReader.error(view.map(), "the ring is already read through "
          + (running instanceof RingLoop.Batches ? "batches()" : running instanceof RingLoop.Views ? "views()"
          : "events()") + ": a ring has one reader"));
      return;
    }
    EventReader reader;
    try {
      // opened before subscribe returns: a perf event array drops what is written before
      reader = EventReader.open(ring, perfPages);
    } catch (RuntimeException e) {
      reading.set(false);
      stats.error(e);
      sink.error(e);
      return;
    }
    losses.started();
    RingLoop<T> loop = loops.apply(reader);
    loop.thread = Thread.ofPlatform().daemon().name("bpfmap-events-" + view.map()).unstarted(loop);
    running = loop;
    // demand arrives per event through the sharing operator: the loop wakes only when it waits for it
    sink.onRequest(n -> loop.demanded());
    sink.onDispose(loop::stop);
    loop.thread.start();
  }

  /** The loop's end: another subscription may read now. */
  void ended(RingLoop<?> loop) {
    if (running == loop) {
      running = null;
    }
    reading.set(false);
  }

  boolean closing() {
    return closing;
  }

  /** The sequence number of the last event (read by the loop's thread only). */
  long seq() {
    return seq;
  }

  long nextSeq() {
    return ++seq;
  }

  /** Numbers {@code n} events: the first one's number. */
  long takeSeq(int n) {
    long first = seq + 1;
    seq += n;
    return first;
  }

  /** {@return the stream's counters: records read and events emitted} */
  public StreamStats stats() {
    return stats;
  }

  /** {@return how its events are decoded and masked} */
  public RecordView view() {
    return view;
  }

  /** {@return the kernel ring the stream reads: its id and where it was opened from} */
  public Origin origin() {
    return new Origin(ring.info().id(), ring.target());
  }

  /**
   * {@return the records lost since the stream first subscribed, as far as it can be known} For
   * a perf event array, the kernel's count of samples it dropped. For a ring buffer the kernel
   * keeps no count: this is what the program counted in the {@link Builder#lostCounter} map, or 0
   * without one.
   */
  public long lost() {
    return losses.lost();
  }

  /** {@return the records skipped because they were shorter than the layout} */
  public long malformed() {
    return losses.malformed();
  }

  /** What the stream could not deliver: for its reading loop. */
  RingLosses losses() {
    return losses;
  }

  /**
   * Completes the Flux after the record in hand and waits (up to 5 s) for the reading thread to
   * close its reader: once this returns, the stream holds no descriptor, mapping or thread.
   */
  @Override
  public void close() {
    closing = true;
    RingLoop<?> loop = running;
    if (loop != null) {
      loop.stop();
      try {
        loop.thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** What a stream reads and how it decodes: the layout is required. */
  public static final class Builder {
    private final BpfMap ring;
    private String name;
    private RecordLayout layout;
    private PermissionMask mask = PermissionMask.readAll();
    private int perfPages = 64;
    private BpfMap lostCounter;
    private int prefetch = 32;
    private int subscribers = 1;
    private int batchSize = RingLoop.BATCH_SIZE;

    private Builder(BpfMap ring) {
      this.ring = ring;
      this.name = ring.name();
    }

    /**
     * Names the stream.
     *
     * @param name the name events carry and errors show; default the ring's kernel name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets how records are decoded: required, since a ring's map has no BTF value type (see
     * {@link io.bpfmap.core.BpfObject#layout}).
     *
     * @param layout the layout of a record the programs write
     * @return this builder
     */
    public Builder valueLayout(RecordLayout layout) {
      this.layout = layout;
      return this;
    }

    /**
     * Hides fields: a hidden field's bytes are zeroed as the record is copied out of the ring.
     *
     * @param mask which fields of a record events may carry; default all
     * @return this builder
     */
    public Builder mask(PermissionMask mask) {
      this.mask = mask;
      return this;
    }

    /**
     * Sizes a perf event array's rings (a ring buffer's size is the map's).
     *
     * @param pages pages of a perf event array's ring on each CPU, a power of two; default 64
     * @return this builder
     */
    public Builder perfPages(int pages) {
      this.perfPages = pages;
      return this;
    }

    /**
     * A map where the program counts the records it could not reserve in a ring buffer: the
     * 64-bit value at key 0 (all zero bytes), summed over CPUs for a per-CPU map.
     *
     * @param counter the map the program increments when {@code bpf_ringbuf_reserve} fails
     * @return this builder
     */
    public Builder lostCounter(BpfMap counter) {
      this.lostCounter = counter;
      return this;
    }

    /**
     * Sets how many events the sharing operator may hold ahead of its slowest subscriber.
     *
     * @param prefetch at least 1; default 32
     * @return this builder
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /**
     * Sets the most records a batch of {@link #batches()} holds.
     *
     * @param size at least 1; default 16 384
     * @return this builder
     */
    public Builder batchSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * Makes the first read wait until this many subscribers have subscribed, so that every sink
     * sees the first event.
     *
     * @param n at least 1; default 1
     * @return this builder
     */
    public Builder subscribers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("subscribers must be at least 1, got " + n);
      }
      this.subscribers = n;
      return this;
    }

    /** {@return the stream} @throws BpfException when the map holds no events or no layout is set */
    public EventStream build() {
      return new EventStream(this);
    }
  }
}
