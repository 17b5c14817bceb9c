package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * libbpf's perf buffer ({@code perf_buffer__*}) over a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}: one
 * perf ring per CPU, read by {@link #consume}, which calls the {@link Sink} for each sample and for
 * each count of samples the kernel lost. Owns the perf buffer and the upcall stubs; close once,
 * from the thread that polls.
 */
public final class PerfBuffer implements AutoCloseable {
  private static final Libbpf.Bound LIB = Libbpf.LIB;
  private static final NativeFunction NEW = LIB.fn("perf_buffer__new",
      FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), CallState.ERRNO);
  private static final NativeFunction CONSUME = LIB.fn("perf_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction EPOLL_FD = LIB.fn("perf_buffer__epoll_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction FREE = LIB.fn("perf_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));
  private static final MethodHandle SAMPLE;
  private static final MethodHandle LOST;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SAMPLE = l.findVirtual(PerfBuffer.class, "sample", MethodType.methodType(void.class, MemorySegment.class,
          int.class, MemorySegment.class, int.class));
      LOST = l.findVirtual(PerfBuffer.class, "lost", MethodType.methodType(void.class, MemorySegment.class,
          int.class, long.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Where samples go, called on the polling thread; {@code data} is valid only during the call. */
  public interface Sink {
    void sample(int cpu, MemorySegment data);

    void lost(int cpu, long count);
  }

  /** A perf buffer, or the errno that refused it when {@code buffer} is {@code null}. */
  public record Created(PerfBuffer buffer, int errno) {}

  private final Arena arena = Arena.ofShared();
  private final Sink sink;
  private MemorySegment pb = MemorySegment.NULL;
  private Throwable failed;

  private PerfBuffer(Sink sink) {
    this.sink = sink;
  }

  /** Opens a perf ring of {@code pages} pages (a power of two) on every CPU of the map. */
  public static Created open(int mapFd, long pages, Sink sink) {
    PerfBuffer b = new PerfBuffer(sink);
    try (Arena call = Arena.ofConfined()) {
      Linker linker = Linker.nativeLinker();
      MemorySegment onSample = linker.upcallStub(SAMPLE.bindTo(b),
          FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), b.arena);
      MemorySegment onLost = linker.upcallStub(LOST.bindTo(b), FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG),
          b.arena);
      MemorySegment state = CallState.allocate(call);
      MemorySegment pb = (MemorySegment) NEW.handle().invokeExact(state, mapFd, pages, onSample, onLost,
          MemorySegment.NULL, MemorySegment.NULL);
      if (pb.address() == 0) {
        int errno = CallState.errno(state);
        b.arena.close();
        return new Created(null, errno);
      }
      b.pb = pb;
      return new Created(b, 0);
    } catch (Throwable t) {
      b.arena.close();
      throw Libbpf.unexpected(t);
    }
  }

  /**
   * Hands every sample in every CPU's ring to the sink, without waiting: 0, or a negative errno.
   * It reads the rings whether or not their fds were polled ready: the caller waits on
   * {@link #epollFd}, and a wait there takes the rings' wake-up flags. A sink's exception is
   * thrown here, after the rings are read.
   */
  public int consume() {
    int n;
    try {
      n = (int) CONSUME.handle().invokeExact(pb);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
    Throwable f = failed;
    if (f != null) {
      failed = null;
      throw Libbpf.unexpected(f);
    }
    return n;
  }

  /** The epoll fd that becomes readable when a sample is ready (owned by this buffer). */
  public int epollFd() {
    try {
      return (int) EPOLL_FD.handle().invokeExact(pb);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  @Override
  public void close() {
    if (pb.address() != 0) {
      try {
        FREE.handle().invokeExact(pb);
      } catch (Throwable t) {
        throw Libbpf.unexpected(t);
      }
      pb = MemorySegment.NULL;
      arena.close();
    }
  }

  /** The sample upcall: never throws into native code (that would end the JVM). */
  private void sample(MemorySegment ctx, int cpu, MemorySegment data, int size) {
    try {
      sink.sample(cpu, data.reinterpret(Integer.toUnsignedLong(size)));
    } catch (Throwable t) {
      failed = failed == null ? t : failed;
    }
  }

  private void lost(MemorySegment ctx, int cpu, long count) {
    try {
      sink.lost(cpu, count);
    } catch (Throwable t) {
      failed = failed == null ? t : failed;
    }
  }
}
