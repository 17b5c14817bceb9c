package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Map;

/**
 * An {@link MapEvent.Kind#EVENT}: one record a program wrote into a ring, copied once out of the
 * ring with its hidden fields zeroed (into its own array, or a batch's), decoded
 * when asked.
 */
final class RingEvent implements MapEvent {
  private final RecordView view;
  private final long seq;
  private final Instant read;
  private final int cpu;
  /** The record, exactly: its own array, or a slice of its batch's. */
  private final MemorySegment value;

  RingEvent(RecordView view, long seq, Instant read, int cpu, MemorySegment value) {
    this.view = view;
    this.seq = seq;
    this.read = read;
    this.cpu = cpu;
    this.value = value;
  }

  @Override
  public String map() {
    return view.map();
  }

  @Override
  public long cycle() {
    return seq;
  }

  @Override
  public Instant cycleStart() {
    return read;
  }

  @Override
  public Kind kind() {
    return Kind.EVENT;
  }

  @Override
  public Map<String, Object> key() {
    return null;
  }

  @Override
  public Map<String, Object> value() {
    return view.mask().unpack(value, 0);
  }

  @Override
  public MemorySegment rawKey() {
    return MemorySegment.NULL;
  }

  @Override
  public MemorySegment rawValue() {
    return value.asReadOnly();
  }

  @Override
  public int cpu() {
    return cpu;
  }

  @Override
  public long entriesRead() {
    return seq;
  }

  @Override
  public String toString() {
    return view.map() + "#" + seq + " EVENT " + value() + (cpu >= 0 ? " cpu " + cpu : "");
  }
}
