package io.bpfmap.core.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counters of a {@link MapStream}, for the metrics module: cycles, entries read from the kernel,
 * events emitted, ticks skipped because a cycle (or a slow subscriber) outlasted the interval,
 * errors, and the last cycle's duration and time. Listeners get a {@link CycleReport} per cycle.
 * Thread-safe; counters only grow.
 */
public final class StreamStats {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamStats.class);
  private final String map;
  private final AtomicLong cycles = new AtomicLong();
  private final AtomicLong entriesRead = new AtomicLong();
  private final AtomicLong eventsEmitted = new AtomicLong();
  private final AtomicLong skippedTicks = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong drainConflicts = new AtomicLong();
  private final AtomicLong incompleteCycles = new AtomicLong();
  private final AtomicLong keyRepeats = new AtomicLong();
  private final List<Consumer<CycleReport>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Throwable>> errorListeners = new CopyOnWriteArrayList<>();
  private volatile Duration lastCycleDuration = Duration.ZERO;
  private volatile Instant lastCycleEnd;
  private volatile Throwable lastError;
  private volatile Instant lastErrorTime;

  StreamStats(String map) {
    this.map = map;
  }

  /** Calls {@code listener} after every cycle, on the stream's thread: keep it quick. */
  public void onCycle(Consumer<CycleReport> listener) {
    listeners.add(listener);
  }

  /**
   * Calls {@code listener} with each error that ends the stream's Flux (a kernel error, a map gone),
   * on the stream's thread, before subscribers see it: keep it quick (a supervisor schedules its
   * reaction elsewhere).
   */
  public void onError(Consumer<Throwable> listener) {
    errorListeners.add(listener);
  }

  void read(long n) {
    entriesRead.addAndGet(n);
  }

  void emitted(long n) {
    eventsEmitted.addAndGet(n);
  }

  void cycleDone(long cycle, Instant start, long nanos, long read, long emitted, boolean complete, long repeats) {
    cycles.incrementAndGet();
    keyRepeats.addAndGet(repeats);
    if (!complete && incompleteCycles.getAndIncrement() == 0) {
      LOG.warn("map '{}': cycle {} read the map only in part: its per-key walk ran out of steps under concurrent "
          + "changes (counted in incompleteCycles; said once)", map, cycle);
    }
    lastCycleDuration = Duration.ofNanos(nanos);
    lastCycleEnd = Instant.now();
    CycleReport r = new CycleReport(map, cycle, start, lastCycleDuration, read, emitted);
    listeners.forEach(l -> l.accept(r));
  }

  void skipped() {
    skippedTicks.incrementAndGet();
  }

  void error(Throwable t) {
    errors.incrementAndGet();
    lastError = t;
    lastErrorTime = Instant.now();
    errorListeners.forEach(l -> l.accept(t));
  }

  void drainConflicts(int n) {
    drainConflicts.addAndGet(n);
  }

  public String map() {
    return map;
  }

  public long cycles() {
    return cycles.get();
  }

  /** Entries read from the kernel so far (counted per batch, as they are read). */
  public long entriesRead() {
    return entriesRead.get();
  }

  /** Events handed to subscribers so far (counted as they are emitted). */
  public long eventsEmitted() {
    return eventsEmitted.get();
  }

  public long skippedTicks() {
    return skippedTicks.get();
  }

  public long errors() {
    return errors.get();
  }

  /** DRAIN entries taken but not delivered (cancelled) whose key existed again: not put back. */
  public long drainConflicts() {
    return drainConflicts.get();
  }

  /** Cycles that could not read the whole map (see {@link MapEvent#complete()}). */
  public long incompleteCycles() {
    return incompleteCycles.get();
  }

  /** Keys the kernel's per-key walk gave more than once in a cycle (each delivered once). */
  public long keyRepeats() {
    return keyRepeats.get();
  }

  public Duration lastCycleDuration() {
    return lastCycleDuration;
  }

  /** When the last cycle ended; null before the first. */
  public Instant lastCycleEnd() {
    return lastCycleEnd;
  }

  /** The last error; null when there was none. */
  public Throwable lastError() {
    return lastError;
  }

  public Instant lastErrorTime() {
    return lastErrorTime;
  }
}
