package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Map;

/** A {@link MapEvent} over copied bytes, decoded when asked. */
final class Event implements MapEvent {
  private static final byte[] NONE = new byte[0];
  private static final VarHandle RESTORED;

  static {
    try {
      RESTORED = MethodHandles.lookup().findVarHandle(Event.class, "restored", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final RecordView view;
  private final long cycle;
  private final Instant cycleStart;
  private final Kind kind;
  private final byte[] key;
  private final byte[] value;
  private final int cpu;
  private final long entriesRead;
  private byte[] drained;
  /** CHANGES: the fingerprint of the visible value, as the change table stores it. */
  private long fingerprint;
  /** CHANGES: the key was new to the stream. */
  private boolean created;
  private boolean incomplete;
  private volatile boolean restored;

  Event(RecordView view, long cycle, Instant cycleStart, Kind kind, byte[] key, byte[] value, int cpu,
      long entriesRead) {
    this.view = view;
    this.cycle = cycle;
    this.cycleStart = cycleStart;
    this.kind = kind;
    this.key = key == null ? NONE : key;
    this.value = value == null ? NONE : value;
    this.cpu = cpu;
    this.entriesRead = entriesRead;
  }

  /**
   * DRAIN: keeps the entry's whole value as it was in the kernel (hidden fields included, never
   * exposed) so that an event an operator discards can be put back into the map.
   */
  Event fingerprint(long stored, boolean created) {
    this.fingerprint = stored;
    this.created = created;
    return this;
  }

  @Override
  public boolean created() {
    return created;
  }

  long fingerprint() {
    return fingerprint;
  }

  Event drained(byte[] original) {
    this.drained = original;
    return this;
  }

  byte[] drainedValue() {
    return drained;
  }

  /** True once, for the first of several discard hooks that may see this event. */
  boolean claimRestore() {
    return RESTORED.compareAndSet(this, false, true);
  }

  byte[] keyBytes() {
    return key;
  }

  static Event cycleEnd(RecordView view, long cycle, Instant start, long entriesRead, boolean complete) {
    Event e = new Event(view, cycle, start, Kind.CYCLE_END, null, null, -1, entriesRead);
    e.incomplete = !complete;
    return e;
  }

  @Override
  public boolean complete() {
    return !incomplete;
  }

  @Override
  public String map() {
    return view.map();
  }

  @Override
  public long cycle() {
    return cycle;
  }

  @Override
  public Instant cycleStart() {
    return cycleStart;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  @Override
  public Map<String, Object> key() {
    return kind == Kind.CYCLE_END ? null : view.keyLayout().unpack(key);
  }

  @Override
  public Map<String, Object> value() {
    return kind == Kind.UPSERT ? view.mask().unpack(value) : null;
  }

  @Override
  public MemorySegment rawKey() {
    return MemorySegment.ofArray(key).asReadOnly();
  }

  @Override
  public MemorySegment rawValue() {
    return MemorySegment.ofArray(value).asReadOnly();
  }

  @Override
  public int cpu() {
    return cpu;
  }

  @Override
  public long entriesRead() {
    return entriesRead;
  }

  @Override
  public String toString() {
    return kind == Kind.CYCLE_END ? view.map() + "#" + cycle + " CYCLE_END"
        : view.map() + "#" + cycle + " " + kind + " " + key() + (kind == Kind.UPSERT ? " = " + value() : "")
            + (cpu >= 0 ? " cpu " + cpu : "");
  }
}
