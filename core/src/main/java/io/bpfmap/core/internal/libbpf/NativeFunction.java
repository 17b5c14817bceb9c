package io.bpfmap.core.internal.libbpf;

import io.bpfmap.core.NativeUnavailableException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A native function bound at its first call. Binding makes the JVM generate a stub per signature:
 * binding every function at class initialisation took 105–145 ms of each command's start, where
 * a command calls five or six of them.
 */
final class NativeFunction {
  private static final Linker LINKER = Linker.nativeLinker();

  private final SymbolLookup lookup;
  private final NativeUnavailableException failure;
  private final String name;
  private final FunctionDescriptor descriptor;
  private final Linker.Option[] options;
  private volatile MethodHandle handle;

  /** A function of {@code lookup} (null with the reason the library is missing). */
  NativeFunction(SymbolLookup lookup, NativeUnavailableException failure, String name, FunctionDescriptor descriptor,
      Linker.Option... options) {
    this.lookup = lookup;
    this.failure = failure;
    this.name = name;
    this.descriptor = descriptor;
    this.options = options;
  }

  /** The bound handle; throws the one-line reason when the library or the function is missing. */
  MethodHandle handle() {
    MethodHandle h = handle;
    if (h == null) {
      MemorySegment symbol = symbol().orElseThrow(() -> new NativeUnavailableException(
          Libbpf.SONAME + " lacks " + name + ": bpfmap needs libbpf 1.0 or newer", null));
      h = LINKER.downcallHandle(symbol, descriptor, options);
      handle = h;
    }
    return h;
  }

  /** True when the library has this function (a function of a newer libbpf may be missing). */
  boolean present() {
    return handle != null || symbol().isPresent();
  }

  private Optional<MemorySegment> symbol() {
    if (lookup == null) {
      throw failure;
    }
    return lookup.find(name);
  }
}
