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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libbpf's object API ({@code bpf_object__*}, {@code bpf_map__*}): open an ELF object from a file
 * or memory, load it, walk its maps, close it. libbpf's own messages, which it would print to
 * stderr, come here instead: logged at debug, and kept for the calling thread while it runs
 * {@link #logged}, so that an error can say what libbpf said.
 */
public final class ElfObjects {
  private static final Logger LOG = LoggerFactory.getLogger("io.bpfmap.libbpf");
  private static final Libbpf.Bound LIB = Libbpf.LIB;

  private static final NativeFunction OPEN_FILE = LIB.fn("bpf_object__open_file",
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), CallState.ERRNO);
  private static final NativeFunction OPEN_MEM = LIB.fn("bpf_object__open_mem",
      FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), CallState.ERRNO);
  private static final NativeFunction LOAD = LIB.fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction CLOSE = LIB.fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
  private static final NativeFunction NEXT_MAP = LIB.fn("bpf_object__next_map",
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  private static final NativeFunction MAP_NAME = LIB.fn("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final NativeFunction MAP_FD = LIB.fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final NativeFunction OBJECT_BTF = LIB.fn("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final NativeFunction BTF_RAW_DATA = LIB.fn("btf__raw_data",
      FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  private static final NativeFunction SET_PRINT = LIB.fn("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final NativeFunction VSNPRINTF = LIB.libc("vsnprintf",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

  private static final ThreadLocal<List<String>> SINK = new ThreadLocal<>();
  private static volatile boolean printing;

  private ElfObjects() {}

  /** An opened object, or the errno libbpf set when it is NULL. */
  public record Opened(MemorySegment object, int errno) {}

  /**
   * Runs {@code call} with libbpf's messages for this thread collected into {@code messages}
   * (warnings first line by line, as libbpf printed them).
   */
  public static <T> T logged(List<String> messages, Supplier<T> call) {
    installPrint();
    List<String> before = SINK.get();
    SINK.set(messages);
    try {
      return call.get();
    } finally {
      SINK.set(before);
    }
  }

  public static Opened openFile(MemorySegment path) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = CallState.allocate(call);
      MemorySegment obj = (MemorySegment) OPEN_FILE.handle().invokeExact(state, path, MemorySegment.NULL);
      return new Opened(obj.address() == 0 ? null : obj, obj.address() == 0 ? CallState.errno(state) : 0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Opens an object from memory, named {@code name} (libbpf's {@code object_name}). */
  public static Opened openMem(MemorySegment elf, MemorySegment name) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment state = CallState.allocate(call);
      MemorySegment opts = call.allocate(16, 8);
      opts.set(JAVA_LONG, 0, 16);
      opts.set(ADDRESS, 8, name);
      MemorySegment obj = (MemorySegment) OPEN_MEM.handle().invokeExact(state, elf, elf.byteSize(), opts);
      return new Opened(obj.address() == 0 ? null : obj, obj.address() == 0 ? CallState.errno(state) : 0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Creates the object's maps and loads its programs: 0, or a negative errno. */
  public static int load(MemorySegment obj) {
    try {
      return (int) LOAD.handle().invokeExact(obj);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Closes the object: its maps' and programs' fds with it. */
  public static void close(MemorySegment obj) {
    try {
      CLOSE.handle().invokeExact(obj);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** The object's maps, in the order libbpf holds them. */
  public static List<MemorySegment> maps(MemorySegment obj) {
    List<MemorySegment> out = new ArrayList<>();
    try {
      MemorySegment m = MemorySegment.NULL;
      while (true) {
        m = (MemorySegment) NEXT_MAP.handle().invokeExact(obj, m);
        if (m.address() == 0) {
          return out;
        }
        out.add(m);
      }
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  public static String mapName(MemorySegment map) {
    try {
      MemorySegment name = (MemorySegment) MAP_NAME.handle().invokeExact(map);
      return name.reinterpret(Long.MAX_VALUE).getString(0);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** The map's fd, owned by the object (valid until it closes). */
  public static int mapFd(MemorySegment map) {
    try {
      return (int) MAP_FD.handle().invokeExact(map);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** The object's BTF as raw bytes (the {@code .BTF} section as loaded), or null when it has none. */
  public static byte[] btf(MemorySegment obj) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment btf = (MemorySegment) OBJECT_BTF.handle().invokeExact(obj);
      if (btf.address() == 0) {
        return null;
      }
      MemorySegment size = call.allocate(JAVA_INT);
      MemorySegment raw = (MemorySegment) BTF_RAW_DATA.handle().invokeExact(btf, size);
      return raw.address() == 0 ? null
          : raw.reinterpret(Integer.toUnsignedLong(size.get(JAVA_INT, 0))).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** Routes libbpf's print callback here, once. */
  private static synchronized void installPrint() {
    if (printing) {
      return;
    }
    try {
      MethodHandle target = MethodHandles.lookup().findStatic(ElfObjects.class, "print",
          MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
      MemorySegment stub = Linker.nativeLinker().upcallStub(target,
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
      MemorySegment previousPrinter = (MemorySegment) SET_PRINT.handle().invokeExact(stub);
      LOG.trace("libbpf printed through {} before", previousPrinter);
      printing = true;
    } catch (Throwable t) {
      throw Libbpf.unexpected(t);
    }
  }

  /** libbpf's print callback: formats the message with vsnprintf and keeps it; never throws. */
  private static int print(int level, MemorySegment format, MemorySegment args) {
    if (level > 1 && !LOG.isDebugEnabled()) {
      return 0;
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(1024);
      int n = (int) VSNPRINTF.handle().invokeExact(buf, buf.byteSize(), format, args);
      String text = buf.getString(0).strip();
      if (n > 0 && !text.isEmpty()) {
        LOG.debug("{}", text);
        List<String> sink = SINK.get();
        if (sink != null && level <= 1) {
          sink.add(text);
        }
      }
      return n;
    } catch (Throwable t) {
      return 0;
    }
  }
}
