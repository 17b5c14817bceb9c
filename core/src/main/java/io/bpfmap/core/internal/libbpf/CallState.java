package io.bpfmap.core.internal.libbpf;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.VarHandle;

/** The errno a native call left, captured by the linker: for the calls that return NULL or -1. */
final class CallState {
  static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
  private static final MemoryLayout LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO_VALUE = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private CallState() {}

  /** Room for the captured state, passed as a call's first argument. */
  static MemorySegment allocate(SegmentAllocator alloc) {
    return alloc.allocate(LAYOUT);
  }

  /** The errno captured in {@code state}. */
  static int errno(MemorySegment state) {
    return (int) ERRNO_VALUE.get(state, 0L);
  }
}
