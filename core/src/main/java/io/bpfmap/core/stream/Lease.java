package io.bpfmap.core.stream;

import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Who is using a reader's native buffers: a running cycle, or a give-back on its way. Closing frees
 * them at once when nobody is, else when the last user is done; {@link #idle()} completes whenever
 * nobody is. Thread-safe.
 */
final class Lease {
  private final Runnable free;
  private final List<Runnable> idleWaiters = new ArrayList<>();
  private int users;
  private boolean closed;
  private boolean freed;

  /** {@code free} gives the buffers back; it runs once, under this lease's lock. */
  Lease(Runnable free) {
    this.free = free;
  }

  /** A cycle starts: false once closed (the buffers may be gone). */
  synchronized boolean acquire() {
    if (closed) {
      return false;
    }
    users++;
    return true;
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
