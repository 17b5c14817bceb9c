package io.bpfmap.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A caller's keys and values checked against one map's sizes before any syscall, each failure a
 * {@link BpfException} naming the operation and the map; and byte[] values made native arguments.
 */
final class MapArgs {
  private final MapInfo info;
  private final String target;
  private final int valueBufferSize;

  MapArgs(MapInfo info, String target, int valueBufferSize) {
    this.info = info;
    this.target = target;
    this.valueBufferSize = valueBufferSize;
  }

  /** A value as a native argument: the whole buffer, or on a per-CPU map one CPU's value for every CPU. */
  MemorySegment value(Arena a, String operation, byte[] value) {
    if (value.length == valueBufferSize) {
      return BpfMap.copy(a, value);
    }
    if (info.type().perCpu() && value.length == info.valueSize()) {
      return BpfMap.copy(a, PerCpu.replicate(value, BpfMap.possibleCpus()));
    }
    throw new BpfException(operation, target, 0, "value is " + value.length + " bytes, the map's values are "
        + valueBufferSize + " bytes" + (info.type().perCpu() ? " (or " + info.valueSize() + " for every CPU)" : ""));
  }

  void key(String operation, byte[] key) {
    if (key == null || key.length != info.keySize()) {
      throw new BpfException(operation, target, 0, "key is " + (key == null ? "null" : key.length + " bytes")
          + ", the map's keys are " + info.keySize() + " bytes");
    }
  }

  /** Native segments big enough for a key and (unless null) a value buffer. */
  void segments(String operation, MemorySegment key, MemorySegment value) {
    int keySize = info.keySize();
    if (key == null || key.byteSize() < keySize || (keySize > 0 && !key.isNative())) {
      throw new BpfException(operation, target, 0, "key segment must be native and hold " + keySize + " bytes");
    }
    if (value != null && (value.byteSize() < valueBufferSize || !value.isNative())) {
      throw new BpfException(operation, target, 0, "value segment must be native and hold "
          + valueBufferSize + " bytes");
    }
  }

  void perCpu(String operation) {
    if (!info.type().perCpu()) {
      throw new BpfException(operation, target, 0, info.type().cliName() + " is not a per-CPU map");
    }
  }
}
