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

  /**
   * Calls {@code listener} with the report of every completed cycle, on the thread that ran the
   * cycle and before its CYCLE_END event is emitted: keep it quick. An exception it throws fails
   * the cycle, ending the stream's Flux with it. Listeners cannot be removed.
   *
   * @param listener called once per completed cycle
   */
  public void onCycle(Consumer<CycleReport> listener) {
    listeners.add(listener);
  }

  /**
   * Calls {@code listener} with each error a cycle fails with, which then ends the stream's Flux
   * (a kernel error, a map gone), on the stream's thread, before subscribers see it: keep it quick
   * and do not throw (a supervisor schedules its reaction elsewhere). Errors that no cycle raised
   * (a second DRAIN subscriber refused, a cycle that found the stream closed) do not come here.
   * Listeners cannot be removed.
   *
   * @param listener called once per failed cycle
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

  /**
   * Counts an error and tells the listeners. A listener that throws is logged and skipped: the
   * stream still ends with {@code t} (a listener's exception must not take the stream's error's
   * place, nor keep it from its subscribers).
   */
  void error(Throwable t) {
    errors.incrementAndGet();
    lastError = t;
    lastErrorTime = Instant.now();
    for (Consumer<Throwable> l : errorListeners) {
      try {
        l.accept(t);
      } catch (RuntimeException listenerFailed) {
        LOG.warn("map '{}': an error listener failed on '{}': {}", map, t.getMessage(), listenerFailed.toString());
      }
    }
  }

  void drainConflicts(int n) {
    drainConflicts.addAndGet(n);
  }

  /** {@return the stream's name, as its events carry it} */
  public String map() {
    return map;
  }

  /** {@return the cycles completed so far (up to their CYCLE_END); cancelled or failed ones not} */
  public long cycles() {
    return cycles.get();
  }

  /** {@return the entries read from the kernel so far (counted per batch, as they are read)} */
  public long entriesRead() {
    return entriesRead.get();
  }

  /**
   * {@return the events handed on so far, CYCLE_END markers included (counted as they are
   * emitted; for a shared stream, into the sharing operator's prefetch buffer)}
   */
  public long eventsEmitted() {
    return eventsEmitted.get();
  }

  /**
   * {@return the interval ticks dropped so far, because the previous cycle (or a slow subscriber)
   * was still running when they came}
   */
  public long skippedTicks() {
    return skippedTicks.get();
  }

  /** {@return the cycles that failed so far (each one ended the stream's Flux)} */
  public long errors() {
    return errors.get();
  }

  /**
   * {@return the DRAIN entries taken out of the map but not delivered (cancelled, or discarded)
   * that could not be put back: their key existed again, the map was closed, or the update failed}
   */
  public long drainConflicts() {
    return drainConflicts.get();
  }

  /** {@return the cycles that could not read the whole map (see {@link MapEvent#complete()})} */
  public long incompleteCycles() {
    return incompleteCycles.get();
  }

  /**
   * {@return the keys the kernel's per-key walk gave more than once in a cycle, summed over the
   * cycles (each such key was delivered once)}
   */
  public long keyRepeats() {
    return keyRepeats.get();
  }

  /**
   * {@return how long the last completed cycle took, from its start until its CYCLE_END was made;
   * {@code Duration.ZERO} before the first}
   */
  public Duration lastCycleDuration() {
    return lastCycleDuration;
  }

  /** {@return when the last completed cycle ended; null before the first} */
  public Instant lastCycleEnd() {
    return lastCycleEnd;
  }

  /** {@return the error the last failed cycle failed with; null when none has failed} */
  public Throwable lastError() {
    return lastError;
  }

  /** {@return when {@link #lastError()} happened; null when no cycle has failed} */
  public Instant lastErrorTime() {
    return lastErrorTime;
  }
}
