package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.Epoll;
import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Mmap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A {@link MapType#RINGBUF} read in place, as libbpf's {@code ring_buffer__consume} does, with no
 * call into native code per record: the consumer page is mapped writable, the producer page and
 * the data area (mapped twice in a row by the kernel, so that a record that wraps is contiguous)
 * read-only. Each record starts with an 8-byte header whose length word the producer publishes
 * with release semantics; a set busy bit means not yet committed, a discard bit means skip.
 */
final class RingBufferReader implements EventReader {
  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
  private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
  private static final int BUSY = 1 << 31;
  private static final int DISCARD = 1 << 30;
  private static final int HEADER = 8;
  /** A record header's length word, read from a copy of the ring (a heap array: not aligned). */
  /** A record header's length word in the ring (8-byte aligned there: no alignment check needed). */
  private static final ValueLayout.OfInt HEADER_WORD = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfInt HEADER_LENGTH =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.nativeOrder());

  private final Arena arena;
  private final int fd;
  private final Epoll epoll;
  private final MemorySegment consumer;
  private final MemorySegment producer;
  private final MemorySegment data;
  private final long mask;
  /** With views: where the next view starts, past the views not yet released; -1 before any view. */
  private long viewed = -1;
  /** Views released before one taken earlier: start to end, freed once those before them are. */
  private final java.util.TreeMap<Long, Long> releasedEarly = new java.util.TreeMap<>();
  /** Offset arrays of released views, reused: a view in steady state allocates nothing per record. */
  private final java.util.ArrayDeque<int[]> spareSlots = new java.util.ArrayDeque<>();

  private RingBufferReader(Arena arena, int fd, Epoll epoll, MemorySegment consumer, MemorySegment producer,
      long size, long page) {
    this.arena = arena;
    this.fd = fd;
    this.epoll = epoll;
    this.consumer = consumer;
    this.producer = producer;
    this.data = producer.asSlice(page);
    this.mask = size - 1;
  }

  static RingBufferReader open(BpfMap map) {
    if (map.mode() != OpenMode.READ_WRITE) {
      throw new BpfPermissionException("read events", map.target(), 0,
          "reading a ring buffer moves its read position: open it READ_WRITE");
    }
    long size = Integer.toUnsignedLong(map.info().maxEntries());
    long page = Mmap.pageSize();
    int own;
    int f = map.acquire("read events");
    try {
      own = Libbpf.dup(f);
    } finally {
      map.release();
    }
    if (own < 0) {
      throw map.failure("read events", -own);
    }
    Arena arena = Arena.ofShared();
    Epoll epoll = null;
    try {
      Mmap.Result c = Mmap.map(own, page, 0, true, arena);
      if (c.segment() == null) {
        throw map.failure("mmap ring consumer page", c.errno());
      }
      Mmap.Result p = Mmap.map(own, page + 2 * size, page, false, arena);
      if (p.segment() == null) {
        throw map.failure("mmap ring data", p.errno());
      }
      Epoll.Created e = Epoll.create();
      if (e.epoll() == null) {
        throw map.failure("epoll_create", e.errno());
      }
      epoll = e.epoll();
      int rc = epoll.add(own);
      if (rc < 0) {
        throw map.failure("epoll_ctl", -rc);
      }
      return new RingBufferReader(arena, own, epoll, c.segment(), p.segment(), size, page);
    } catch (RuntimeException ex) {
      if (epoll != null) {
        epoll.close();
      }
      arena.close();
      Libbpf.close(own);
      throw ex;
    }
  }

  @Override
  public int read(int max, Handler handler) {
    long cons = (long) LONG.getAcquire(consumer, 0L);
    long prod = (long) LONG.getAcquire(producer, 0L);
    int n = 0;
    try {
      while (n < max && cons < prod) {
        long at = cons & mask;
        int len = (int) INT.getAcquire(data, at);
        if ((len & BUSY) != 0) {
          break;
        }
        int bytes = len & ~(BUSY | DISCARD);
        cons += (bytes + HEADER + 7) & ~7L;
        if ((len & DISCARD) == 0) {
          n++;
          handler.onEvent(-1, data.asSlice(at + HEADER, bytes));
        }
      }
    } finally {
      // published after the handler ran: a record is released to the producer once it is handed
      LONG.setRelease(consumer, 0L, cons);
    }
    return n;
  }

  /** A view, copied at once into one array (the span the records occupy) and released. */
  @Override
  public Records readRecords(int max) {
    View v = view(max, 0);
    if (v == null) {
      return new Records(new byte[0], new int[0], new int[0], null, 0);
    }
    byte[] copy = v.data().toArray(ValueLayout.JAVA_BYTE);
    int[] offsets = java.util.Arrays.copyOf(v.offsets(), v.count());
    v.release().run();
    int[] lengths = new int[offsets.length];
    MemorySegment headers = MemorySegment.ofArray(copy);
    for (int i = 0; i < offsets.length; i++) {
      lengths[i] = headers.get(HEADER_LENGTH, offsets[i] - HEADER) & ~(BUSY | DISCARD);
    }
    return new Records(copy, offsets, lengths, null, offsets.length);
  }

  @Override
  public View view(int max, int minLength) {
    long start = viewed >= 0 ? viewed : (long) LONG.getAcquire(consumer, 0L);
    long prod = (long) LONG.getAcquire(producer, 0L);
    long limit = Math.min(prod, start + Integer.MAX_VALUE - mask);
    int[] slots = slots(max);
    int cap = slots.length;
    MemorySegment ring = data;
    long m = mask;
    long pos = start;
    int n = 0;
    int tooShort = 0;
    int longest = 0;
    while (n < cap && pos < limit) {
      // a plain read per header, one acquire fence after them all: a header read that saw the
      // kernel's release (busy bit cleared) orders every read of its record after the fence
      int len = ring.get(HEADER_WORD, pos & m);
      if ((len & BUSY) != 0) {
        break;
      }
      int bytes = len & ~(BUSY | DISCARD);
      if ((len & DISCARD) == 0) {
        if (bytes >= minLength) {
          slots[n] = (int) (pos - start) + HEADER;
          longest = Math.max(longest, bytes);
          n++;
        } else {
          tooShort++;
        }
      }
      pos += (bytes + HEADER + 7) & ~7L;
    }
    VarHandle.acquireFence();
    if (pos == start) {
      giveBack(slots);
      return null;
    }
    viewed = pos;
    long end = pos;
    // the data area is mapped twice in a row: a span that wraps is contiguous
    return new View(data.asSlice(start & mask, end - start).asReadOnly(), slots, n, tooShort, longest,
        () -> release(start, end, slots));
  }

  /** An array for {@code max} records' offsets: one a released view gave back, or a new one. */
  private synchronized int[] slots(int max) {
    int[] s = spareSlots.poll();
    return s != null && s.length == max ? s : new int[max];
  }

  private synchronized void giveBack(int[] slots) {
    if (spareSlots.size() < 4) {
      spareSlots.push(slots);
    }
  }

  /** Frees a view's space once every view taken before it is released too. */
  private synchronized void release(long start, long end, int[] slots) {
    giveBack(slots);
    long cons = (long) LONG.getAcquire(consumer, 0L);
    if (start != cons) {
      releasedEarly.put(start, end);
      return;
    }
    cons = end;
    Long next;
    while ((next = releasedEarly.remove(cons)) != null) {
      cons = next;
    }
    LONG.setRelease(consumer, 0L, cons);
  }

  @Override
  public void await(int timeoutMillis) {
    long cons = (long) LONG.getAcquire(consumer, 0L);
    long prod = (long) LONG.getAcquire(producer, 0L);
    if (viewed >= 0 && viewed != cons) {
      // views not yet released: the kernel sees data to read and epoll would not wait, so sleep a
      // little unless new records came
      if (viewed == prod) {
        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(10, timeoutMillis < 0 ? 10 : timeoutMillis)
            * 1_000_000L);
      }
      return;
    }
    if (cons != prod) {
      return;
    }
    int rc = epoll.await(timeoutMillis);
    if (rc < 0) {
      throw new BpfException("epoll_wait", "ring buffer fd " + fd, -rc, "");
    }
  }

  @Override
  public void wake() {
    epoll.wake();
  }

  @Override
  public long lost() {
    return 0;
  }

  @Override
  public void close() {
    epoll.close();
    arena.close();
    Libbpf.close(fd);
  }
}
