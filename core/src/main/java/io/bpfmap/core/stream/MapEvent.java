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
  /** What an event says. */
  enum Kind {
    /** An entry and its value: SNAPSHOT each one, CHANGES a new or changed one, DRAIN one taken. */
    UPSERT,
    /** CHANGES only: a key seen in an earlier cycle is no longer in the map. */
    DELETE,
    /** The cycle is over: the last event of every cycle, with no key and no value. */
    CYCLE_END,
    /**
     * A record a program wrote into a ring ({@link EventStream}): no key, a value; its cycle is the
     * event's number in the stream, counting from 1, and its cycle start the time it was read.
     */
    EVENT
  }

  /** {@return the stream's name: by default the map's kernel name} */
  String map();

  /**
   * {@return the cycle number, from 1} Numbering starts over when the stream is subscribed anew
   * (after all its subscribers had left).
   */
  long cycle();

  /** {@return when the cycle started reading; the same for every event of a cycle} */
  Instant cycleStart();

  /** {@return what the event says: an entry, a key gone, or the end of the cycle} */
  Kind kind();

  /**
   * {@return the key decoded with the stream's key layout: field name to value, structs as
   * nested maps; null for CYCLE_END} Decoded anew, into a new map, on every call.
   */
  Map<String, Object> key();

  /**
   * {@return the value decoded with the stream's value layout, as {@link #key()}, hidden fields
   * null; null for DELETE and CYCLE_END} Decoded anew, into a new map, on every call.
   */
  Map<String, Object> value();

  /** {@return the key's bytes, read-only; empty for CYCLE_END} */
  MemorySegment rawKey();

  /**
   * {@return the value's bytes, read-only, hidden fields zeroed (per-CPU maps: the one CPU's
   * value, or the aggregate); empty for DELETE and CYCLE_END}
   */
  MemorySegment rawValue();

  /** {@return the CPU of a per-CPU value under {@link PerCpuPolicy#PER_CPU}; -1 otherwise} */
  int cpu();

  /** {@return for CYCLE_END, the entries the cycle read from the kernel; 0 otherwise} */
  long entriesRead();

  /**
   * {@return for CYCLE_END, false when the cycle could not read the whole map; true otherwise}
   * False means per-key iteration under heavy concurrent changes ran out of its step budget, so
   * keys missing from the cycle may still be in the map.
   */
  default boolean complete() {
    return true;
  }

  /**
   * {@return true for a CHANGES UPSERT of a key the stream did not hold before (a create, as
   * change capture calls it), false for a change of a key it held, and for every other event}
   */
  default boolean created() {
    return false;
  }
}
