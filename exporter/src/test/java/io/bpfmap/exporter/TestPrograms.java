package io.bpfmap.exporter;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** Test support only: pins a trivial BPF program, to show what opening a non-map pin says. */
final class TestPrograms {
  private TestPrograms() {}

  /** Loads "r0 = 0; exit" as a socket filter and pins it at {@code pin}. */
  static void pinSocketFilter(Path pin) throws Throwable {
    Linker linker = Linker.nativeLinker();
    SymbolLookup lib = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    MethodHandle load = linker.downcallHandle(lib.find("bpf_prog_load").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    MethodHandle pinIt = linker.downcallHandle(lib.find("bpf_obj_pin").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment insns = a.allocate(16, 8);
      insns.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0xb7);   // mov64 r0, 0
      insns.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 8, (byte) 0x95);   // exit
      int fd = (int) load.invokeExact(1, a.allocateFrom("t_prog"), a.allocateFrom("GPL"), insns, 2L, MemorySegment.NULL);
      if (fd < 0) {
        throw new IllegalStateException("bpf_prog_load failed: " + fd);
      }
      int rc = (int) pinIt.invokeExact(fd, a.allocateFrom(pin.toString()));
      int closed = (int) close.invokeExact(fd);
      if (rc < 0 || closed < 0) {
        throw new IllegalStateException("bpf_obj_pin failed: " + rc);
      }
    }
  }
}
