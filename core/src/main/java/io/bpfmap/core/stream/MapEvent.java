package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of one cycle of a {@link MapStream}, or the marker that ends the cycle. Values are
 * masked: a hidden field is null in {@link #value()} and zero in {@link #rawValue()}. Events are
 * immutable and may be kept after {@code onNext} returns.
 */
public interface MapEvent {
  enum Kind { UPSERT, DELETE, CYCLE_END }

  /** The stream's map name. */
  String map();

  /** The cycle number, from 1. */
  long cycle();

  /** When the cycle started reading. */
  Instant cycleStart();

  Kind kind();

  /** The decoded key; null for CYCLE_END. */
  Map<String, Object> key();

  /** The decoded, masked value; null for DELETE and CYCLE_END. */
  Map<String, Object> value();

  /** The key's bytes (read-only); empty for CYCLE_END. */
  MemorySegment rawKey();

  /** The value's bytes with hidden fields zeroed (read-only); empty for DELETE and CYCLE_END. */
  MemorySegment rawValue();

  /** The CPU of a per-CPU value under {@link PerCpuPolicy#PER_CPU}; -1 otherwise. */
  int cpu();

  /** For CYCLE_END: the entries the cycle read from the kernel; 0 otherwise. */
  long entriesRead();

  /**
   * For CYCLE_END: false when the cycle could not read the whole map (per-key iteration under
   * heavy concurrent changes ran out of its step budget), so keys missing from it may still be in
   * the map; true otherwise.
   */
  default boolean complete() {
    return true;
  }
}
