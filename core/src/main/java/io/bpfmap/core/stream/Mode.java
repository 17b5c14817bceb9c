package io.bpfmap.core.stream;

/** What a {@link MapStream} emits each cycle. */
public enum Mode {
  /** Every entry, every cycle. */
  SNAPSHOT,
  /** Entries that are new or whose visible value changed, and a DELETE for each key gone. */
  CHANGES,
  /** Lookup-and-delete: each entry is delivered once and removed from the map. */
  DRAIN
}
