package io.bpfmap.core.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * An epoll set ({@code epoll(7)}) with an eventfd in it, so that a thread blocked in
 * {@link #await} sleeps without using a CPU until a watched fd is readable or another thread calls
 * {@link #wake}. Owns both fds; {@link #close} closes them once no thread waits.
 */
public final class Epoll implements AutoCloseable {
  private static final int EPOLL_CLOEXEC = 0x80000;
  private static final int EFD_CLOEXEC = 0x80000;
  private static final int EFD_NONBLOCK = 0x800;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLLIN = 1;
  private static final int EINTR = 4;
  /** {@code struct epoll_event} is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
  private static final boolean PACKED = System.getProperty("os.arch").equals("amd64");
  private static final long EVENT_SIZE = PACKED ? 12 : 16;
  private static final int MAX_EVENTS = 8;

  private static final Libbpf.Bound LIB = Libbpf.LIB;
  private static final NativeFunction CREATE = LIB.libc("epoll_create1",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT), CallState.ERRNO);
  private static final NativeFunction CTL = LIB.libc("epoll_ctl",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CallState.ERRNO);
  private static final NativeFunction WAIT = LIB.libc("epoll_wait",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CallState.ERRNO);
  private static final NativeFunction EVENTFD = LIB.libc("eventfd",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CallState.ERRNO);
  private static final NativeFunction WRITE = LIB.libc("write",
      FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final NativeFunction READ = LIB.libc("read",
      FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

  private final Arena arena = Arena.ofShared();
  private final MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
  private final MemorySegment state = CallState.allocate(arena);
  private final MemorySegment one = arena.allocate(JAVA_LONG);
  private final MemorySegment drain = arena.allocate(JAVA_LONG);
  private final int epfd;
  private final int wakeFd;
  private boolean closed;

  private Epoll(int epfd, int wakeFd) {
    this.epfd = epfd;
    this.wakeFd = wakeFd;
    one.set(JAVA_LONG, 0, 1L);
  }

  /** A new set, or the errno that refused it when {@code epoll} is {@code null}. */
  public record Created(Epoll epoll, int errno) {}

  /** A new set holding its wake-up eventfd. */
  public static Created create() {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment st = CallState.allocate(call);
      int ep = (int) CREATE.handle().invokeExact(st, EPOLL_CLOEXEC);
      if (ep < 0) {
        return new Created(null, CallState.errno(st));
      }
      int ev = (int) EVENTFD.handle().invokeExact(st, 0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (ev < 0) {
        int errno = CallState.errno(st);
        Libbpf.close(ep);
        return new Created(null, errno);
      }
      Epoll e = new Epoll(ep, ev);
      int rc = e.add(ev);
      if (rc < 0) {
        e.close();
        return new Created(null, -rc);
      }
      return new Created(e, 0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Watches {@code fd} for input: 0, or a negative errno. */
  public int add(int fd) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment ev = call.allocate(EVENT_SIZE, 8);
      ev.set(JAVA_INT, 0, EPOLLIN);
      ev.set(JAVA_INT, PACKED ? 4 : 8, fd);
      MemorySegment st = CallState.allocate(call);
      int rc = (int) CTL.handle().invokeExact(st, epfd, EPOLL_CTL_ADD, fd, ev);
      return rc < 0 ? -CallState.errno(st) : 0;
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /**
   * Blocks until a watched fd is readable, {@link #wake} is called or {@code timeoutMillis} pass
   * (-1: no limit): the number of ready fds (0 on timeout or an interrupted wait), or a negative
   * errno. Called by one thread at a time.
   */
  public int await(int timeoutMillis) {
    try {
      int n = (int) WAIT.handle().invokeExact(state, epfd, events, MAX_EVENTS, timeoutMillis);
      if (n < 0) {
        int errno = CallState.errno(state);
        return errno == EINTR ? 0 : -errno;
      }
      long unused = (long) READ.handle().invokeExact(wakeFd, drain, 8L);
      return n;
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /**
   * Makes a waiting (or the next) {@link #await} return at once; safe from any thread, and a
   * no-op once the set is closed.
   */
  public synchronized void wake() {
    if (closed) {
      return;
    }
    try {
      long unused = (long) WRITE.handle().invokeExact(wakeFd, one, 8L);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Libbpf.close(wakeFd);
    Libbpf.close(epfd);
    arena.close();
  }
}
