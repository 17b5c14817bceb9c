package io.bpfmap.core.stream;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * buffered beyond one batch in the kernel buffer and the sharing operator's prefetch. In
 * {@link Mode#DRAIN} nothing is taken out of the kernel that the subscriber has not requested.
 *
 * <p><b>Sharing:</b> SNAPSHOT and CHANGES streams are shared: several subscribers get the events of
 * one read, at the pace of the slowest (a CHANGES subscriber that joins late sees changes from then
 * on). A DRAIN stream takes one subscriber at a time, since each entry can be delivered only once.
 *
 * <p><b>Errors:</b> a kernel error, or a map closed or gone, ends the Flux with a
 * {@link BpfException} naming the map; {@link #resilient} reopens and retries with backoff.
 * Syscalls run on the stream's scheduler (bounded elastic by default), never on
 * {@code Schedulers.parallel()}.
 */
public final class MapStream implements AutoCloseable {
  /** The most a stream's batch buffers may take: batch size × (key + value buffer) bytes. */
  public static final long MAX_BATCH_BYTES = 256L << 20;
  private final Sinks.Empty<Void> closed = Sinks.empty();
  private final RecordView view;
  private final Mode mode;
  private final StreamStats stats;
  private final Flux<MapEvent> events;
  private final CycleReader reader;

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
    this.mode = b.mode;
    this.stats = new StreamStats(name);
    this.reader = new CycleReader(b.map, view, b.mode, b.perCpu, b.batchSize, b.batchLookup, stats);
    Scheduler io = b.scheduler;
    AtomicBoolean freshConnection = new AtomicBoolean(true);
    Flux<MapEvent> cycles = Cycles.schedule(b.interval, b.timer, stats::skipped,
            n -> new CyclePublisher(reader, n, freshConnection.getAndSet(false), stats, io).subscribeOn(io))
        .takeUntilOther(closed.asMono());
    if (b.mode == Mode.DRAIN) {
      AtomicBoolean active = new AtomicBoolean();
      this.events = Flux.defer(() -> {
        if (!active.compareAndSet(false, true)) {
          return Flux.error(CycleReader.error(name,
              "DRAIN delivers each entry once: one subscriber at a time (share it downstream)"));
        }
        freshConnection.set(true);
        // An event that left the engine just as the subscriber cancelled is discarded by the
        // operators in between: it was taken out of the kernel, so it goes back into the map (on
        // the stream's scheduler: the discarding thread may be one that must not block).
        return cycles.doOnDiscard(Event.class, e -> reader.restoreLater(e, io))
            .doFinally(s -> active.set(false));
      });
    } else {
      this.events = Flux.defer(() -> {
        freshConnection.set(true);
        return cycles;
      }).publish(b.prefetch).refCount(b.subscribers);
    }
  }

  /** A builder for a stream over {@code map} (which the stream does not close). */
  public static Builder builder(BpfMap map) {
    return new Builder(map);
  }

  /** The events; see the class comment for backpressure, sharing and errors. */
  public Flux<MapEvent> events() {
    return events;
  }

  public StreamStats stats() {
    return stats;
  }

  /** The layouts and compiled mask the events are decoded with (sinks render with these). */
  public RecordView view() {
    return view;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * DRAIN: puts an event's entry back into the map (unless its key exists again). Operators that
   * buffer (publishOn, buffer…) discard what they hold when the subscriber cancels; in DRAIN those
   * entries are already out of the kernel, so end such chains with
   * {@code .doOnDiscard(MapEvent.class, stream::restore)}. Returns false when it could not.
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
   * key every cycle; DRAIN sinks give entries back with {@link #restore}).
   */
  public void resync(MapEvent event) {
    if (event instanceof Event e && e.kind() != MapEvent.Kind.CYCLE_END) {
      reader.resync(e.keyBytes());
    }
  }

  /**
   * Completes once no cycle is running: at once when none is; after a cancel, when the running
   * cycle has settled (every event it made has reached its subscriber or, in DRAIN, gone back into
   * the map). Never blocks.
   */
  public Mono<Void> idle() {
    return reader.idle();
  }

  /**
   * Ends the stream: subscribers complete, the running cycle (if any) is cancelled and settles, and
   * the native buffers are freed once it has ({@link #idle()} completes after that). Does not block
   * and does not close the map. Later subscribers get an error. Idempotent.
   */
  @Override
  public void close() {
    reader.close();
    closed.tryEmitEmpty();
  }

  /** True once {@link #close()} has freed the stream's native memory. */
  public boolean isFreed() {
    return reader.freed();
  }

  /** Keys and heap bytes held by CHANGES state (0 in other modes). */
  public long changeStateBytes() {
    return reader.changeStateBytes();
  }

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
   */
  public static Flux<MapEvent> resilient(Path pin, OpenMode openMode, Function<BpfMap, MapStream> build,
      Duration minBackoff, Duration maxBackoff, Consumer<Throwable> onError) {
    MapSelector selector = MapSelector.pin(pin);
    Scheduler io = Schedulers.boundedElastic();
    return Flux.usingWhen(Mono.fromCallable(() -> Opened.open(selector, openMode, build)).subscribeOn(io),
            o -> o.stream.events().takeUntilOther(Replaced.watch(selector, o.mapId, Duration.ofSeconds(5), io)),
            Opened::close, (o, e) -> o.close(), Opened::close)
        .doOnError(onError)
        .retryWhen(Backoff.spec(minBackoff, maxBackoff, io).filter(Backoff::isTransient));
  }

  /** A map and its stream, for {@link #resilient}: closed together once the stream is idle. */
  private record Opened(BpfMap map, MapStream stream, int mapId) {
    static Opened open(MapSelector selector, OpenMode mode, Function<BpfMap, MapStream> build) {
      BpfMap map = selector.open(mode);
      try {
        return new Opened(map, build.apply(map), map.info().id());
      } catch (RuntimeException e) {
        map.close();
        throw e;
      }
    }

    Mono<Void> close() {
      return stream.idle().then(Mono.fromRunnable(() -> {
        stream.close();
        map.close();
      }));
    }
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
    private boolean batchLookup = true;
    private int prefetch = 256;
    private int subscribers = 1;
    private Scheduler scheduler = Schedulers.boundedElastic();
    private Scheduler timer = Schedulers.parallel();

    private Builder(BpfMap map) {
      this.map = map;
    }

    /** The name events carry; default: the kernel's map name. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Default: the layout of the map's BTF key type (a map without BTF needs one). */
    public Builder keyLayout(RecordLayout layout) {
      this.keyLayout = layout;
      return this;
    }

    /**
     * Use the layouts given even where they differ from the map's BTF; default false: a layout
     * that differs is refused, naming the first difference.
     */
    public Builder trustLayouts(boolean trust) {
      this.trustLayouts = trust;
      return this;
    }

    /** Default: the layout of the map's BTF value type (one CPU's value on per-CPU maps). */
    public Builder valueLayout(RecordLayout layout) {
      this.valueLayout = layout;
      return this;
    }

    /** Default: everything readable. */
    public Builder mask(PermissionMask mask) {
      this.mask = mask;
      return this;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** Time between cycle starts; default 1 s. */
    public Builder interval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, got " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** Entries per batch syscall; default 4096 (grows when a hash bucket needs more). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** For per-CPU maps; default SUM. */
    public Builder perCpu(PerCpuPolicy policy) {
      this.perCpu = policy;
      return this;
    }

    /** False reads per key (get_next_key + lookup) even where batch lookup works. */
    public Builder batchLookup(boolean enabled) {
      this.batchLookup = enabled;
      return this;
    }

    /** Events the sharing operator may hold ahead of its slowest subscriber; default 256. */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /**
     * SNAPSHOT and CHANGES: the first cycle waits until this many subscribers have subscribed, so
     * that every sink of a daemon sees it (a CHANGES subscriber that joins later sees only changes).
     * Default 1.
     */
    public Builder subscribers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("subscribers must be at least 1, got " + n);
      }
      this.subscribers = n;
      return this;
    }

    /** Where syscalls run; default {@code Schedulers.boundedElastic()}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /** Where interval ticks run (non-blocking); default {@code Schedulers.parallel()}. */
    public Builder timer(Scheduler timer) {
      this.timer = timer;
      return this;
    }

    public MapStream build() {
      return new MapStream(this);
    }
  }
}
