package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A map as a {@link Flux} of {@link MapEvent}s: every {@code interval} a cycle reads the map (batch
 * lookup, or per key where the map type has none), decodes keys and values with the layouts,
 * applies the mask, and emits UPSERT / DELETE events and a CYCLE_END marker.
 *
 * <p><b>Backpressure:</b> reads follow demand. A slow subscriber slows the cycle (ticks that find
 * a cycle still running are dropped and counted in {@link StreamStats#skippedTicks()}); nothing is
 * buffered beyond two batches in the kernel buffers (the one being emitted and the next one, read
 * ahead on a thread of its own) and the sharing operator's prefetch. In {@link Mode#DRAIN}
 * nothing is taken out of the kernel that the subscriber has not requested: it reads ahead only
 * within the demand, and puts back what it took and did not deliver when the subscriber cancels.
 *
 * <p><b>Sharing:</b> SNAPSHOT and CHANGES streams are shared: several subscribers get the events of
 * one read, at the pace of the slowest (a CHANGES subscriber that joins late sees changes from then
 * on). A DRAIN stream takes one subscriber at a time, since each entry can be delivered only once.
 *
 * <p><b>Errors:</b> a kernel error, or a map closed or gone, ends the Flux with a
 * {@link BpfException} naming the map; {@link #resilient} reopens and retries with backoff.
 * Syscalls run on the stream's scheduler (bounded elastic by default) and, for batches read
 * ahead, on bpfmap's own read-ahead threads; never on {@code Schedulers.parallel()}.
 */
public final class MapStream implements AutoCloseable {
  /**
   * The most one set of a stream's batch buffers may take: batch size × (key + value buffer) bytes.
   * A stream keeps two sets, to read the next batch while the last one is emitted.
   */
  public static final long MAX_BATCH_BYTES = 256L << 20;
  private final Sinks.Empty<Void> closed = Sinks.empty();
  private final RecordView view;
  private final Mode mode;
  private final StreamStats stats;
  private final Flux<MapEvent> events;
  private final Flux<MapBatch> views;
  private final CycleReader reader;
  private final Origin origin;

  private MapStream(Builder b) {
    String name = b.name == null ? b.map.name() : b.name;
    BpfMap check = b.map;
    io.bpfmap.core.ParsedMap layouts = check.parsed(b.keyLayout, b.valueLayout, b.trustLayouts);
    if (b.mode == Mode.DRAIN && check.mode() != OpenMode.READ_WRITE) {
      throw CycleReader.error(name, "DRAIN deletes entries: open the map READ_WRITE");
    }
    if (b.mode == Mode.DRAIN && check.valuesPerKey() > 1 && b.perCpu == PerCpuPolicy.PER_CPU) {
      throw CycleReader.error(name, "DRAIN takes each entry once, with all its CPUs' values: use the per-CPU "
          + "policy SUM, MIN or MAX (one event per entry), not PER_CPU");
    }
    long buffers = (long) b.batchSize * (check.keySize() + check.valueBufferSize());
    if (buffers > MAX_BATCH_BYTES) {
      throw CycleReader.error(name, "a batch of " + b.batchSize + " entries needs " + (buffers >> 20)
          + " MiB of buffers for this map (at most " + (MAX_BATCH_BYTES >> 20) + " MiB): lower the batch size");
    }
    this.view = new RecordView(name, layouts.keyLayout(), b.mask.compile(layouts.valueLayout()));
    if (b.baseline != null) {
      checkBaseline(b, name, check);
    }
    this.mode = b.mode;
    this.origin = new Origin(check.info().id(), check.target());
    this.stats = new StreamStats(name);
    this.reader = new CycleReader(b.map, view, b.mode, b.perCpu, b.batchSize, b.batchLookup, stats, b.baseline);
    Readings readings = new Readings(name, reader, stats, b.scheduler, b.interval, b.timer, closed.asMono());
    this.events = readings.events(b.mode, b.prefetch, b.subscribers);
    this.views = readings.views(viewsRefusal(b, check));
  }

  /** Why {@link #views()} cannot read this stream; null when it can. */
  private String viewsRefusal(Builder b, BpfMap map) {
    if (b.mode != Mode.SNAPSHOT) {
      return "views() lends SNAPSHOT batches in place; a " + b.mode + " stream is read through events()";
    } else if (map.valuesPerKey() > 1) {
      return "views() lends values in place, where per-CPU values cannot be summed or split: use events()";
    } else if (!view.showsAll()) {
      return "views() lends values in place, where hidden fields cannot be zeroed: with a mask that hides fields, "
          + "use events()";
    } else if (!b.batchLookup) {
      return "views() lends batches in place, and batch lookup is off: use events()";
    }
    return null;
  }

  private void checkBaseline(Builder b, String name, BpfMap map) {
    if (b.mode != Mode.CHANGES) {
      throw CycleReader.error(name, "a changes baseline is for CHANGES streams, not " + b.mode);
    }
    if (map.valuesPerKey() > 1 && b.perCpu == PerCpuPolicy.PER_CPU) {
      throw CycleReader.error(name, "a changes baseline needs one event per entry: per-CPU policy SUM, MIN or MAX, "
          + "not PER_CPU");
    }
    String identity = ChangesState.identity(view, b.perCpu);
    if (b.baseline.keySize() != map.keySize() || !b.baseline.identity().equals(identity)) {
      throw CycleReader.error(name, "the changes baseline was made with other layouts, mask or per-CPU policy: "
          + "rebase it (ChangesState.rebased) on this stream's identity");
    }
  }

  /**
   * Starts a stream over {@code map}. The stream never closes the map: close the stream, and the
   * map once {@link #idle()} has completed.
   * @param map the map to read; opened READ_WRITE for {@link Mode#DRAIN}
   * @return a builder with the defaults its options state
   */
  public static Builder builder(BpfMap map) {
    return new Builder(map);
  }

  /**
   * {@return the events, cycle after cycle (backpressure, sharing: see the class comment)} The
   * first cycle starts on subscription ({@link Builder#subscribers} of them), the next ones on
   * the interval's ticks. A kernel error, or the map closed or gone, ends the Flux with a
   * {@link BpfException} naming the map, after {@link StreamStats#onError} listeners saw it; a
   * second concurrent DRAIN subscriber gets one at once. On cancel (of the last subscriber) the
   * running cycle settles on its own, DRAIN putting back what it took and did not deliver, and
   * {@link #idle()} completes. A new subscription starts over: cycles from 1, CHANGES state
   * empty. The Flux completes on {@link #close()}.
   */
  public Flux<MapEvent> events() {
    return events;
  }

  /**
   * {@return the SNAPSHOT cycles as batches read in place: no copy, no object per entry} Each
   * cycle is the batches the kernel's batch lookup filled, in the stream's own buffers, then a
   * batch of none that {@linkplain MapBatch#endsCycle() ends it}. The subscriber must
   * {@linkplain MapBatch#release() release} every batch: the stream reads into the buffers
   * batches give back, so while it holds both sets (two batches) the stream waits, without a
   * thread (so does a later subscription, of {@link #events()} too, until they come back), and
   * {@link #idle()} waits for every release. One subscriber at a time; while it reads,
   * {@link #events()} cannot, and the other way round. Batches the stream's own operators drop
   * on a cancel are released; a subscriber whose operators drop batches (filter, take…) ends its
   * chain with {@code .doOnDiscard(MapBatch.class, MapBatch::release)}.
   * Fails at subscription, with a {@link BpfException} that says why, for a CHANGES or DRAIN
   * stream, a per-CPU map, a mask that hides fields (a batch in place cannot zero them), or batch
   * lookup turned off; with a kernel without batch lookup, at its first read.
   */
  public Flux<MapBatch> views() {
    return views;
  }

  /** {@return the stream's counters and listeners: one object for the stream's whole life} */
  public StreamStats stats() {
    return stats;
  }

  /** {@return the layouts and compiled mask the events are decoded with (sinks use them too)} */
  public RecordView view() {
    return view;
  }

  /** {@return the kernel map the stream reads: its id and where it was opened from} */
  public Origin origin() {
    return origin;
  }

  /** {@return what the stream emits each cycle, as built} */
  public Mode mode() {
    return mode;
  }

  /**
   * DRAIN: puts an event's entry back into the map (unless its key exists again), at most once,
   * by a syscall on the calling thread. Operators that buffer (publishOn, buffer…) discard what
   * they hold when the subscriber cancels; in DRAIN those entries are already out of the kernel,
   * so end such chains with {@code .doOnDiscard(MapEvent.class, stream::restore)}.
   * @param event an event this stream emitted
   * @return true when the entry is back or there was nothing to put back; false when it could
   *     not be (key exists again, map closed, update failed, not a stream's event), which is
   *     counted in {@link StreamStats#drainConflicts()}
   */
  public boolean restore(MapEvent event) {
    boolean ok = event instanceof Event e && reader.restore(e);
    if (!ok) {
      stats.drainConflicts(1);
    }
    return ok;
  }

  /**
   * CHANGES: the next cycle emits this event's key again, with its value then (or a DELETE if it is
   * gone), for a sink that could not deliver the event and must not resend it late (a late resend
   * could land after a newer record of the same key). Other modes: nothing (SNAPSHOT emits every
   * key every cycle; DRAIN sinks give entries back with {@link #restore}). Thread-safe.
   * @param event an event this stream emitted; a CYCLE_END is ignored
   */
  public void resync(MapEvent event) {
    if (event instanceof Event e && e.kind() != MapEvent.Kind.CYCLE_END) {
      reader.resync(e.keyBytes());
    }
  }

  /**
   * {@return a Mono that completes once no cycle or DRAIN give-back is running and no batch of
   * {@link #views()} is lent; never errors} At once when none is; after a cancel, when the running
   * cycle has settled (every event it made has reached its subscriber or, in DRAIN, gone back into
   * the map) and the batches lent are released. Never blocks.
   */
  public Mono<Void> idle() {
    return reader.idle();
  }

  /**
   * Ends the stream: subscribers complete, the running cycle (if any) is cancelled and settles, and
   * the native buffers are freed once it has ({@link #idle()} completes after that). Does not block
   * and does not close the map. Later subscribers complete at once (a cycle starting just as
   * {@code close()} runs may instead end with a {@link BpfException}: the stream is closed).
   * Idempotent.
   */
  @Override
  public void close() {
    reader.close();
    closed.tryEmitEmpty();
  }

  /** {@return true once {@link #close()} has freed the stream's native memory} */
  public boolean isFreed() {
    return reader.freed();
  }

  /**
   * {@return the heap bytes of the CHANGES state (per live key: its bytes, a value fingerprint),
   * not sized by {@code max_entries}; 0 in other modes and before the first cycle}
   */
  public long changeStateBytes() {
    return reader.changeStateBytes();
  }

  /** {@return the keys the CHANGES state holds; 0 in other modes and before the first cycle} */
  public int changeStateKeys() {
    return reader.changeStateKeys();
  }

  /**
   * One continuous Flux over a pinned map that may come and go: opens {@code pin}, streams it, and
   * when the stream fails with a transient error ({@link Backoff#isTransient}: the pin missing, the
   * map gone, a kernel error) or {@code pin} comes to hold another map (checked every 5 s), closes
   * the map once the stream has settled, waits {@code minBackoff} doubling up to {@code maxBackoff}
   * (on bounded elastic) and starts again. A permanent error (no permission, a layout that does
   * not fit) ends the Flux. {@code onError} sees every failure. For a daemon with sinks,
   * {@link MapSupervisor} also reports where the map stands.
   *
   * <p>Backpressure is that of {@link #events()}; a reopened stream starts over (cycles from 1,
   * CHANGES emitting every entry). On cancel the running cycle settles, then stream and map close.
   * @param pin where the map is pinned on bpffs; nothing need be pinned there yet
   * @param openMode how to open the map: READ_WRITE for a DRAIN stream
   * @param build makes the stream of each opened map; a throw is a failure like any other
   * @param minBackoff the first wait before reopening
   * @param maxBackoff the longest wait
   * @param onError sees every failure, before it is retried or ends the Flux
   * @return the events of each stream in turn; it never completes by itself
   */
  public static Flux<MapEvent> resilient(Path pin, OpenMode openMode, Function<BpfMap, MapStream> build,
      Duration minBackoff, Duration maxBackoff, Consumer<Throwable> onError) {
    return Resilient.events(pin, openMode, build, minBackoff, maxBackoff, onError);
  }

  /** Options of a {@link MapStream}. */
  public static final class Builder {
    private final BpfMap map;
    private String name;
    private RecordLayout keyLayout;
    private RecordLayout valueLayout;
    private boolean trustLayouts;
    private PermissionMask mask = PermissionMask.readAll();
    private Mode mode = Mode.SNAPSHOT;
    private Duration interval = Duration.ofSeconds(1);
    private int batchSize = 4096;
    private PerCpuPolicy perCpu = PerCpuPolicy.SUM;
    private ChangesState baseline;
    private boolean batchLookup = true;
    private int prefetch = 256;
    private int subscribers = 1;
    private Scheduler scheduler = Schedulers.boundedElastic();
    private Scheduler timer = Schedulers.parallel();

    private Builder(BpfMap map) {
      this.map = map;
    }

    /**
     * {@return this builder, naming the stream {@code name} in its events and stats}
     * @param name the name; default (or null): the map's kernel name
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * {@return this builder, decoding keys with {@code layout} (a map without BTF needs one)}
     * @param layout the key layout; default (or null): that of the map's BTF key type
     */
    public Builder keyLayout(RecordLayout layout) {
      this.keyLayout = layout;
      return this;
    }

    /**
     * {@return this builder, using the layouts given even where they differ from the map's BTF}
     * Their sizes must still match; by default {@link #build()} refuses them, naming the first
     * difference.
     * @param trust true to skip the check against BTF; default false
     */
    public Builder trustLayouts(boolean trust) {
      this.trustLayouts = trust;
      return this;
    }

    /**
     * {@return this builder, decoding values with {@code layout} (per-CPU maps: one CPU's value)}
     * @param layout the value layout; default (or null): that of the map's BTF value type
     */
    public Builder valueLayout(RecordLayout layout) {
      this.valueLayout = layout;
      return this;
    }

    /**
     * {@return this builder, letting subscribers see what {@code mask} makes readable}
     * {@link #build()} checks it against the value layout.
     * @param mask the mask; default: everything readable
     */
    public Builder mask(PermissionMask mask) {
      this.mask = mask;
      return this;
    }

    /**
     * {@return this builder, emitting what {@code mode} says each cycle}
     * @param mode the mode; default {@link Mode#SNAPSHOT}
     */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /**
     * {@return this builder, starting a cycle every {@code interval}}
     * @param interval the time between cycle starts; default 1 s
     * @throws IllegalArgumentException when {@code interval} is zero or negative
     */
    public Builder interval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, got " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * {@return this builder, reading {@code batchSize} entries per batch syscall}
     * @param batchSize the batch size; default 4096 (grows when a hash bucket needs more)
     * @throws IllegalArgumentException when {@code batchSize} is below 1
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * {@return this builder, making a per-CPU map's values into events by {@code policy}}
     * Other maps ignore it.
     * @param policy the policy; default {@link PerCpuPolicy#SUM}
     */
    public Builder perCpu(PerCpuPolicy policy) {
      this.perCpu = policy;
      return this;
    }

    /**
     * CHANGES: what a sink already holds of the map; every fresh cycle state starts from it, so
     * that the first cycle sends only new and changed entries and a DELETE for each key held that
     * the map no longer has. The stream reads it, never changes it: the sink records what it
     * acknowledges ({@link ChangesState#acknowledged}).
     *
     * @param state made for this stream's identity ({@link ChangesState#identity}) and key size
     * @return this builder
     */
    public Builder changesBaseline(ChangesState state) {
      this.baseline = state;
      return this;
    }

    /**
     * {@return this builder, reading in batches where the kernel can, or else per key}
     * @param enabled default true; false reads per key (get_next_key + lookup) even where
     *     batch lookup works
     */
    public Builder batchLookup(boolean enabled) {
      this.batchLookup = enabled;
      return this;
    }

    /**
     * {@return this builder, letting the sharing operator hold {@code prefetch} events ahead}
     * SNAPSHOT and CHANGES: ahead of the slowest subscriber.
     * @param prefetch the events, at least 1; default 256
     * @throws IllegalArgumentException below 1 (checked here: a stream that {@link #build()}
     *     refused late would have allocated its buffers)
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /**
     * {@return this builder, starting the first cycle once {@code n} subscribers have come}
     * SNAPSHOT and CHANGES: so that every sink of a daemon sees it (a CHANGES subscriber that
     * joins later sees only changes).
     * @param n the subscribers to wait for; default 1
     * @throws IllegalArgumentException when {@code n} is below 1
     */
    public Builder subscribers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("subscribers must be at least 1, got " + n);
      }
      this.subscribers = n;
      return this;
    }

    /**
     * {@return this builder, making the syscalls (reads, DRAIN give-backs) on {@code scheduler}}
     * @param scheduler one meant for blocking work; default {@code Schedulers.boundedElastic()}
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * {@return this builder, running the interval's ticks on {@code timer}} No syscall runs there.
     * @param timer a scheduler for ticks; default {@code Schedulers.parallel()}
     */
    public Builder timer(Scheduler timer) {
      this.timer = timer;
      return this;
    }

    /**
     * Checks the options against the map and builds the stream with its native buffers, which
     * the caller owns and must {@link MapStream#close() close}. Nothing is read before
     * {@link MapStream#events()} is subscribed.
     * @return the new stream
     * @throws BpfException when the options do not fit the map: a layout missing or not fitting
     *     ({@link io.bpfmap.core.LayoutMismatchException}), a mask not fitting the value layout
     *     ({@link io.bpfmap.core.mask.MaskException}), DRAIN on a map not opened READ_WRITE or
     *     with PER_CPU on a per-CPU map, batch buffers over {@link MapStream#MAX_BATCH_BYTES}
     * @throws IllegalArgumentException when {@link #prefetch} is below 1 (SNAPSHOT, CHANGES)
     */
    public MapStream build() {
      return new MapStream(this);
    }
  }
}
