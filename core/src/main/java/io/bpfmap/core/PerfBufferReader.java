package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.Epoll;
import io.bpfmap.core.internal.libbpf.PerfBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;

/**
 * A {@link MapType#PERF_EVENT_ARRAY} read through libbpf's perf buffer: a perf ring per CPU, and
 * the kernel's count of samples lost to a full ring. libbpf hands every ready sample of a CPU's
 * ring at once; those beyond what {@link #read} asked for are copied and kept for the next read,
 * so the reader never holds more than what was in the rings.
 */
final class PerfBufferReader implements EventReader, PerfBuffer.Sink {
  private final String target;
  private final ArrayDeque<Kept> kept = new ArrayDeque<>();
  private PerfBuffer buffer;
  private Epoll epoll;
  private Handler handler;
  private int room;
  private long lost;

  private record Kept(int cpu, byte[] data) {}

  private PerfBufferReader(String target) {
    this.target = target;
  }

  static PerfBufferReader open(BpfMap map, int pages) {
    if (pages < 1 || Integer.bitCount(pages) != 1) {
      throw new BpfException("read events", map.target(), 0, "perf buffer pages must be a power of two, got "
          + pages);
    }
    PerfBufferReader reader = new PerfBufferReader(map.target());
    int f = map.acquire("read events");
    PerfBuffer.Created c;
    try {
      c = PerfBuffer.open(f, pages, reader);
    } finally {
      map.release();
    }
    if (c.buffer() == null) {
      throw map.failure("open perf buffer", c.errno());
    }
    Epoll.Created e = Epoll.create();
    if (e.epoll() == null) {
      c.buffer().close();
      throw map.failure("epoll_create", e.errno());
    }
    int rc = e.epoll().add(c.buffer().epollFd());
    if (rc < 0) {
      e.epoll().close();
      c.buffer().close();
      throw map.failure("epoll_ctl", -rc);
    }
    reader.buffer = c.buffer();
    reader.epoll = e.epoll();
    return reader;
  }

  @Override
  public int read(int max, Handler h) {
    int n = 0;
    while (n < max && !kept.isEmpty()) {
      Kept k = kept.poll();
      h.onEvent(k.cpu(), MemorySegment.ofArray(k.data()));
      n++;
    }
    if (n < max) {
      int asked = max - n;
      handler = h;
      room = asked;
      try {
        int rc = buffer.consume();
        if (rc < 0) {
          throw new BpfException("perf buffer read", target, -rc, "");
        }
      } finally {
        handler = null;
        n += asked - room;
      }
    }
    return n;
  }

  @Override
  public void sample(int cpu, MemorySegment data) {
    if (room > 0) {
      room--;
      handler.onEvent(cpu, data);
    } else {
      kept.add(new Kept(cpu, data.toArray(ValueLayout.JAVA_BYTE)));
    }
  }

  @Override
  public void lost(int cpu, long count) {
    lost += count;
  }

  @Override
  public void await(int timeoutMillis) {
    if (!kept.isEmpty()) {
      return;
    }
    int rc = epoll.await(timeoutMillis);
    if (rc < 0) {
      throw new BpfException("epoll_wait", target, -rc, "");
    }
  }

  @Override
  public void wake() {
    epoll.wake();
  }

  @Override
  public long lost() {
    return lost;
  }

  @Override
  public void close() {
    epoll.close();
    buffer.close();
  }
}
