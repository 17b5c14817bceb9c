package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.Libbpf;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One owned file descriptor, reference-counted so that {@link #close()} never closes it under a
 * syscall still running on another thread (which could then hit a reused fd number). The state is
 * {@code users << 1 | closedBit}; whoever brings it to "closed, no users" closes the fd.
 */
final class FdHandle {
  private final int fd;
  private final AtomicInteger state = new AtomicInteger();

  FdHandle(int fd) {
    this.fd = fd;
  }

  /** The fd, counted as in use until {@link #release()}; throws when closed. */
  int acquire(String operation, String target) {
    while (true) {
      int s = state.get();
      if ((s & 1) != 0) {
        throw new BpfException(operation, target, 0, "the map is closed");
      }
      if (state.compareAndSet(s, s + 2)) {
        return fd;
      }
    }
  }

  void release() {
    if (state.addAndGet(-2) == 1) {
      Libbpf.close(fd);
    }
  }

  boolean closed() {
    return (state.get() & 1) != 0;
  }

  /** Marks closed; the fd itself is closed now, or by the last user still inside a call. */
  void close() {
    while (true) {
      int s = state.get();
      if ((s & 1) != 0) {
        return;
      }
      if (state.compareAndSet(s, s | 1)) {
        if (s == 0) {
          Libbpf.close(fd);
        }
        return;
      }
    }
  }
}
