package io.bpfmap.core.stream;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Who is using a reader's native buffers: a running cycle (one at a time), a batch lent in place,
 * or a give-back on its way. Closing frees them at once when nobody is, else when the last user is
 * done; {@link #idle()} completes whenever nobody is. Thread-safe.
 */
final class Lease {
  /** What {@link #acquire} found. */
  enum Cycle {
    /** The cycle may run: it holds the reader until {@link #releaseCycle()}. */
    STARTED,
    /** Another cycle still runs (one cancelled and settling): the caller is told when it is done. */
    BUSY,
    /** The reader is closed. */
    CLOSED
  }

  private final Runnable free;
  private final List<Runnable> idleWaiters = new ArrayList<>();
  private boolean cycle;
  private final List<Runnable> nextCycle = new ArrayList<>();
  private int users;
  private boolean closed;
  private boolean freed;

  /** {@code free} gives the buffers back; it runs once, under this lease's lock. */
  Lease(Runnable free) {
    this.free = free;
  }

  /**
   * A cycle would start: it may when no other cycle runs (a cycle of a subscription cancelled a
   * moment ago may still be settling); else {@code whenFree} runs once that one is done. Never
   * blocks.
   */
  synchronized Cycle acquire(Runnable whenFree) {
    if (closed) {
      return Cycle.CLOSED;
    } else if (cycle) {
      nextCycle.add(whenFree);
      return Cycle.BUSY;
    }
    cycle = true;
    users++;
    return Cycle.STARTED;
  }

  /** The cycle is done with the reader; a cycle waiting to start is told. */
  void releaseCycle() {
    List<Runnable> next;
    synchronized (this) {
      cycle = false;
      next = List.copyOf(nextCycle);
      nextCycle.clear();
    }
    release();
    next.forEach(Runnable::run);
  }

  /** Work that does not touch the buffers but that idle() must wait for (a give-back), even once closed. */
  synchronized void hold() {
    users++;
  }

  /** A user is done: frees the buffers if closed meanwhile, and wakes idle() waiters. */
  void release() {
    List<Runnable> wake;
    synchronized (this) {
      if (--users > 0) {
        return;
      }
      if (closed) {
        freeOnce();
      }
      wake = List.copyOf(idleWaiters);
      idleWaiters.clear();
    }
    wake.forEach(Runnable::run);
  }

  /** Completes once nobody uses the buffers (at once when nobody does). */
  Mono<Void> idle() {
    return Mono.create(sink -> {
      synchronized (this) {
        if (users > 0) {
          idleWaiters.add(sink::success);
          return;
        }
      }
      sink.success();
    });
  }

  /** Frees the buffers now, or when the last user is done. Idempotent. */
  synchronized void close() {
    closed = true;
    if (users == 0) {
      freeOnce();
    }
  }

  synchronized boolean freed() {
    return freed;
  }

  private void freeOnce() {
    if (!freed) {
      freed = true;
      free.run();
    }
  }
}
