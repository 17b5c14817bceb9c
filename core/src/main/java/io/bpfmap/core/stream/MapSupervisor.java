package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.OpenMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Keeps one map exported for as long as a daemon runs: opens it, builds its {@link MapStream} and
 * the sinks the caller attaches, and watches all three. Each opened map is a <em>generation</em>;
 * one ends when
 * <ul>
 *   <li>the stream fails (a kernel error, the map gone),</li>
 *   <li>a sink fails for good ({@link Attachment#failure()}),</li>
 *   <li>the selector finds another map (a BPF program restarted and pinned a new one: checked every
 *       {@code follow}, 5 s by default), or the pin is gone,</li>
 *   <li>or {@link #stop()} is called.</li>
 * </ul>
 * Ending a generation is always the same order: the sinks stop taking events, the stream's running
 * cycle settles, the sinks settle (Kafka: every record acknowledged or given back to the map), then
 * sinks, stream and map are closed. A transient failure ({@link Backoff#isTransient}) is retried
 * with {@link Backoff} on the supervisor's scheduler (bounded elastic by default: opening a map is
 * a syscall); a permanent one (no permission, a layout that does not fit) is reported in
 * {@link #status()} and retried only once the selector finds another map. Every switch is logged.
 */
public final class MapSupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MapSupervisor.class);

  /** Where a supervised map stands. */
  public enum State {
    /** Built; {@link #start()} has not opened a map yet. */ STARTING,
    /** A map is open and exported. */ UP,
    /** A transient failure or a replaced map: reopening after a backoff. */ RETRYING,
    /** A permanent failure: retried only once the selector finds another map. */ FAILED,
    /** Stopped by {@link #stop()} or {@link #close()}, or an unexpected error (logged). */ STOPPED
  }

  /**
   * Where a supervised map stands, as {@link #status()} gives it.
   * @param state the state
   * @param reason why it is not UP; when UP, null or what the last switch to a new map was
   * @param mapId the id of the map exported now, or the last (FAILED: the failed one); 0 before any
   * @param restarts generations so far that ended other than by a stop (failed or replaced)
   * @param since when this status was set
   */
  public record Status(State state, String reason, int mapId, long restarts, Instant since) {}

  /** The sinks of one generation, built by the caller for each new stream. */
  public interface Attachment {
    /**
     * {@return a Mono that errors when a sink fails for good (Kafka refused records), ending the
     * generation; its completion is ignored} Default: never.
     */
    default Mono<Void> failure() {
      return Mono.never();
    }

    /** Stops taking events: flags only, never blocks. */
    void stopTaking();

    /**
     * {@return a Mono that completes once everything taken is settled (acknowledged, given back,
     * or dropped)} Default: at once. It should not error: teardown then skips {@link #close()}.
     */
    default Mono<Void> settled() {
      return Mono.empty();
    }

    /** Frees what the sinks hold; called after {@link #settled()}, or to force a stop. */
    void close();
  }

  private final String name;
  private final MapSelector selector;
  /** What the last switch to a new map was, once there was one (UP then says so). */
  private volatile String replacement;
  private final OpenMode openMode;
  private final Function<BpfMap, MapStream> streams;
  private final Function<MapStream, Attachment> attach;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration follow;
  private final Scheduler scheduler;
  private final Object lock = new Object();
  private final Sinks.Empty<Void> stopSignal = Sinks.empty();
  private final Sinks.Empty<Void> stopped = Sinks.empty();
  private volatile Status status;
  private volatile StreamStats stats;
  /** The id of the map opened last, even if building its stream or sinks then failed. */
  private volatile int attemptedId;
  // Guarded by lock.
  private Generation current;
  private boolean opening;
  private boolean stopping;
  private Disposable loop;
  private long restarts;

  private MapSupervisor(Builder b) {
    this.name = b.name;
    this.selector = b.selector;
    this.openMode = b.openMode;
    this.streams = Objects.requireNonNull(b.streams, "stream");
    this.attach = b.attach;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.follow = b.follow;
    this.scheduler = b.scheduler;
    this.status = new Status(State.STARTING, "not started", 0, 0, Instant.now());
  }

  /** {@return where the supervised map is found: a pin, an id or a kernel name} */
  public MapSelector selector() {
    return selector;
  }

  /**
   * {@return a builder of a supervisor of the map {@code selector} finds, exported as {@code name}}
   * @param name the map's name in log lines and {@link #name()}; not null
   * @param selector where to find the map at each (re)open; not null
   */
  public static Builder builder(String name, MapSelector selector) {
    return new Builder(name, selector);
  }

  /**
   * Opens the first generation on the caller's thread. A permanent failure is thrown (a daemon
   * refuses to start); a transient one (nothing pinned yet) is retried in the background.
   * @throws RuntimeException a permanent failure to open the map, build its stream or attach its
   *     sinks, usually an {@link io.bpfmap.core.BpfException}; {@link #status()} is then FAILED
   */
  public void start() {
    AtomicReference<Generation> first = new AtomicReference<>();
    try {
      first.set(open());
    } catch (RuntimeException e) {
      if (!Backoff.isTransient(e)) {
        status = new Status(State.FAILED, e.getMessage(), 0, 0, Instant.now());
        throw e;
      }
      status = new Status(State.RETRYING, e.getMessage(), 0, 0, Instant.now());
      LOG.warn("map '{}': {}; retrying in {}", name, e.getMessage(), Backoff.say(minBackoff));
    }
    Flux<Integer> run = first.get() == null
        ? Mono.delay(minBackoff, scheduler).thenMany(loop(new AtomicReference<>()))
        : loop(first);
    synchronized (lock) {
      loop = run.subscribe(id -> { }, this::crashed, this::finish);
    }
  }

  /** {@return where the map stands now} */
  public Status status() {
    return status;
  }

  /** {@return the counters of the current (or last) generation's stream; null before one opened} */
  public StreamStats stats() {
    return stats;
  }

  /** {@return the name the map is exported under, as given to {@link #builder}} */
  public String name() {
    return name;
  }

  /**
   * Begins the stop: no new generation, and the current one ends in the usual order (its sinks
   * decide how long settling takes: a Kafka export waits for its records). Never blocks; see
   * {@link #stopped()}.
   */
  public void stop() {
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
      stopSignal.tryEmitEmpty();
      if (current == null && !opening) {
        // Between generations (a backoff, or waiting for another map): nothing to settle.
        if (loop != null) {
          loop.dispose();
        }
        finish();
      }
    }
  }

  /** {@return a Mono that completes once stopped (the last generation closed); never errors} */
  public Mono<Void> stopped() {
    return stopped.asMono();
  }

  /**
   * Stops and waits up to 30 s for the last generation to settle and close; past that closes it as
   * it is (what its sinks had not settled may be lost) and says so in the log.
   */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * {@link #close()} with another wait; if the calling thread is interrupted, closes at once.
   * @param wait how long to wait for the last generation to settle
   */
  public void close(Duration wait) {
    stop();
    try {
      stopped.asMono().toFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return;
    } catch (TimeoutException late) {
      LOG.warn("map '{}': did not settle within {}; closing it as it is", name, Backoff.say(wait));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.warn("map '{}': stopping failed: {}", name, e.getCause().getMessage());
    }
    Generation g;
    synchronized (lock) {
      g = current;
    }
    if (g != null) {
      g.close();
    }
    finish();
  }

  /** Generations one after the other: the first may be open already; failures retried per policy. */
  private Flux<Integer> loop(AtomicReference<Generation> first) {
    return Flux.defer(() -> {
          Generation g = first.getAndSet(null);
          if (g == null) {
            g = open();
          }
          return g == null ? Flux.<Integer>empty() : run(g);
        })
        .subscribeOn(scheduler)
        .onErrorResume(e -> stopping() ? Mono.empty() : Mono.error(e))
        .retryWhen(Backoff.spec(minBackoff, maxBackoff, scheduler).filter(Backoff::isTransient).doBeforeRetry(this::retrying))
        .onErrorResume(this::failedForGood);
  }

  /** Opens a generation; null when stopping. Throws what opening the map, stream or sinks threw. */
  private Generation open() {
    synchronized (lock) {
      if (stopping) {
        return null;
      }
      opening = true;
    }
    Generation g = null;
    try {
      BpfMap map = selector.open(openMode);
      attemptedId = map.info().id();
      MapStream stream = null;
      try {
        stream = streams.apply(map);
        g = new Generation(name, map, stream, attach.apply(stream), this::closed);
      } catch (RuntimeException e) {
        if (stream != null) {
          stream.close();
        }
        map.close();
        throw e;
      }
    } finally {
      boolean late;
      synchronized (lock) {
        opening = false;
        late = stopping;
        if (g != null && !late) {
          current = g;
        }
      }
      if (g != null && late) {
        g.close();
        g = null;
      }
    }
    if (g == null) {
      return null;
    }
    State before = status.state();
    status = new Status(State.UP, replacement, g.mapId, restarts, Instant.now());
    stats = g.stream.stats();
    if (before == State.RETRYING || before == State.FAILED) {
      LOG.info("map '{}' is back (map id {})", name, g.mapId);
    } else {
      LOG.debug("map '{}': exporting map id {} from {}", name, g.mapId, selector);
    }
    return g;
  }

  /** Emits the map id, then ends with the reason the generation ended (empty for a stop). */
  private Flux<Integer> run(Generation g) {
    Mono<Void> ended = g.run(Replaced.watch(selector, g.mapId, follow, scheduler), stopSignal.asMono(), scheduler,
        failure -> {
          synchronized (lock) {
            restarts++;
          }
          status = new Status(State.RETRYING, failure.getMessage(), g.mapId, restarts, Instant.now());
        });
    return Flux.concat(Mono.just(g.mapId), ended.then(Mono.<Integer>empty()));
  }

  private void closed(Generation g) {
    synchronized (lock) {
      if (current == g) {
        current = null;
      }
    }
  }

  private boolean stopping() {
    synchronized (lock) {
      return stopping;
    }
  }

  private void retrying(Retry.RetrySignal signal) {
    Throwable e = signal.failure();
    Duration wait = Backoff.delay(minBackoff, maxBackoff, signal.totalRetriesInARow());
    if (e instanceof Replaced r) {
      replacement = "the map was replaced: " + selector + " found map id " + r.now + " instead of " + r.was;
      LOG.info("map '{}': {} now finds map id {} (was {}): the map was re-created; reopening", name, selector, r.now,
          r.was);
    } else {
      LOG.warn("map '{}' failed: {}; retrying in {}", name, e.getMessage(), Backoff.say(wait));
    }
    status = new Status(State.RETRYING, e.getMessage(), status.mapId(), restarts, Instant.now());
  }

  /** A permanent failure: reported, then retried once the selector finds a map other than the failed one. */
  private Flux<Integer> failedForGood(Throwable e) {
    int failedId = attemptedId;
    status = new Status(State.FAILED, e.getMessage(), failedId, restarts, Instant.now());
    LOG.error("map '{}' failed for good: {}; retried when {} holds another map", name, e.getMessage(), selector);
    Mono<Integer> changed = follow.isZero() ? Mono.never()
        : Flux.interval(follow, scheduler).map(t -> idOrZero()).filter(id -> id != 0 && id != failedId).next();
    return changed.thenMany(Flux.defer(() -> loop(new AtomicReference<>())));
  }

  private int idOrZero() {
    try {
      return selector.currentId();
    } catch (RuntimeException none) {
      return 0;
    }
  }

  private void crashed(Throwable e) {
    LOG.error("map '{}': supervisor stopped: {}", name, e.toString());
    finish();
  }

  private void finish() {
    synchronized (lock) {
      if (status.state() == State.STOPPED) {
        return;
      }
      status = new Status(State.STOPPED, null, status.mapId(), restarts, Instant.now());
    }
    stopped.tryEmitEmpty();
  }

  /** Options of a {@link MapSupervisor}. */
  public static final class Builder {
    private final String name;
    private final MapSelector selector;
    private OpenMode openMode = OpenMode.READ_ONLY;
    private Function<BpfMap, MapStream> streams;
    private Function<MapStream, Attachment> attach = s -> new Attachment() {
      @Override
      public void stopTaking() {}

      @Override
      public void close() {}
    };
    private Duration minBackoff = Backoff.MIN;
    private Duration maxBackoff = Backoff.MAX;
    private Duration follow = Duration.ofSeconds(5);
    private Scheduler scheduler = Schedulers.boundedElastic();

    private Builder(String name, MapSelector selector) {
      this.name = Objects.requireNonNull(name, "name");
      this.selector = Objects.requireNonNull(selector, "selector");
    }

    /**
     * {@return this builder, opening each map in {@code mode}}
     * @param mode READ_ONLY (default), or READ_WRITE for a DRAIN stream
     */
    public Builder openMode(OpenMode mode) {
      this.openMode = mode;
      return this;
    }

    /**
     * {@return this builder, building the stream of each opened map with {@code streams}; required}
     * @param streams builds a stream over the map; a throw is a failure (a layout error: permanent)
     */
    public Builder stream(Function<BpfMap, MapStream> streams) {
      this.streams = streams;
      return this;
    }

    /**
     * {@return this builder, attaching the sinks to each new stream with {@code attach}}
     * @param attach subscribes the sinks to the stream; default: no sinks
     */
    public Builder attach(Function<MapStream, Attachment> attach) {
      this.attach = attach;
      return this;
    }

    /**
     * {@return this builder, waiting {@code min} doubling up to {@code max} between attempts}
     * @param min the first wait; default 1 s
     * @param max the longest wait; default 30 s
     */
    public Builder backoff(Duration min, Duration max) {
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /**
     * {@return this builder, checking every {@code every} that the selector finds the same map}
     * @param every the period; default 5 s; zero: never
     */
    public Builder follow(Duration every) {
      this.follow = every;
      return this;
    }

    /**
     * {@return this builder, opening, checking, retrying and closing on {@code scheduler}}
     * @param scheduler one meant for blocking work; default bounded elastic
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * {@return a new supervisor; nothing is opened before {@link MapSupervisor#start()}}
     * @throws NullPointerException when {@link #stream} was not set
     */
    public MapSupervisor build() {
      return new MapSupervisor(this);
    }
  }
}
