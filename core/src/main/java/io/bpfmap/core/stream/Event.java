package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * A {@link MapEvent} over copied bytes, decoded when asked. Small, since a stream makes one per
 * entry: what every event of a cycle shares is in one {@link Cycle}, and the key and the value are
 * one array, the value after the key. CHANGES and DRAIN events carry a little more
 * ({@link Changed}, {@link Drained}).
 */
class Event implements MapEvent {
  private static final byte[] NONE = new byte[0];
  private static final MemorySegment EMPTY = MemorySegment.ofArray(NONE).asReadOnly();

  /**
   * What the events of one cycle share. {@code entriesRead} and {@code complete} are those of
   * the CYCLE_END that carries them; the events before it hold a copy without them.
   */
  record Cycle(RecordView view, long number, Instant start, int keySize, long entriesRead, boolean complete) {
    Cycle(RecordView view, long number, Instant start, int keySize) {
      this(view, number, start, keySize, 0, true);
    }

    Cycle ended(long read, boolean whole) {
      return new Cycle(view, number, start, keySize, read, whole);
    }
  }

  private final Cycle cycle;
  private final Kind kind;
  /** The key, then (UPSERT) the value. */
  private final byte[] data;
  private final int cpu;

  Event(Cycle cycle, Kind kind, byte[] data, int cpu) {
    this.cycle = cycle;
    this.kind = kind;
    this.data = data == null ? NONE : data;
    this.cpu = cpu;
  }

  static Event cycleEnd(Cycle cycle, long entriesRead, boolean complete) {
    return new Event(cycle.ended(entriesRead, complete), Kind.CYCLE_END, null, -1);
  }

  /** {@return a copy of the key's bytes} */
  final byte[] keyBytes() {
    return Arrays.copyOf(data, kind == Kind.CYCLE_END ? 0 : cycle.keySize());
  }

  /** CHANGES: the fingerprint of the visible value, as the change table stores it; 0 for none. */
  long fingerprint() {
    return 0;
  }

  /** DRAIN: the whole value as it was in the kernel; null for none. */
  byte[] drainedValue() {
    return null;
  }

  /** True once, for the first of several discard hooks that may see this event. */
  boolean claimRestore() {
    return false;
  }

  @Override
  public final boolean complete() {
    return cycle.complete();
  }

  @Override
  public final String map() {
    return cycle.view().map();
  }

  @Override
  public final long cycle() {
    return cycle.number();
  }

  @Override
  public final Instant cycleStart() {
    return cycle.start();
  }

  @Override
  public final Kind kind() {
    return kind;
  }

  @Override
  public final Map<String, Object> key() {
    return kind == Kind.CYCLE_END ? null : cycle.view().keyLayout().unpack(MemorySegment.ofArray(data), 0);
  }

  @Override
  public final Map<String, Object> value() {
    return kind == Kind.UPSERT ? cycle.view().mask().unpack(MemorySegment.ofArray(data), cycle.keySize()) : null;
  }

  @Override
  public final MemorySegment rawKey() {
    return kind == Kind.CYCLE_END ? EMPTY : MemorySegment.ofArray(data).asSlice(0, cycle.keySize()).asReadOnly();
  }

  @Override
  public final MemorySegment rawValue() {
    return kind != Kind.UPSERT ? EMPTY : MemorySegment.ofArray(data).asSlice(cycle.keySize()).asReadOnly();
  }

  @Override
  public final int cpu() {
    return cpu;
  }

  @Override
  public final long entriesRead() {
    return cycle.entriesRead();
  }

  @Override
  public final String toString() {
    String name = map() + "#" + cycle();
    return kind == Kind.CYCLE_END ? name + " CYCLE_END"
        : name + " " + kind + " " + key() + (kind == Kind.UPSERT ? " = " + value() : "") + (cpu >= 0 ? " cpu " + cpu : "");
  }

  /** A CHANGES UPSERT: the fingerprint the change table stored, and whether the key was new. */
  static final class Changed extends Event {
    private final long fingerprint;
    private final boolean created;

    Changed(Cycle cycle, byte[] data, long fingerprint, boolean created) {
      super(cycle, Kind.UPSERT, data, -1);
      this.fingerprint = fingerprint;
      this.created = created;
    }

    @Override
    long fingerprint() {
      return fingerprint;
    }

    @Override
    public boolean created() {
      return created;
    }
  }

  /**
   * A DRAIN UPSERT, which an operator that discards it must put back into the map: its value as
   * it was in the kernel (hidden fields included, never exposed) is kept apart only where it is not
   * the event's own value (a mask hides some of it, or the map is per-CPU).
   */
  static final class Drained extends Event {
    private static final VarHandle RESTORED;

    static {
      try {
        RESTORED = MethodHandles.lookup().findVarHandle(Drained.class, "restored", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final byte[] original;
    private volatile boolean restored;

    /** {@code original} null: the value in {@code data} is the kernel's whole value. */
    Drained(Cycle cycle, byte[] data, byte[] original) {
      super(cycle, Kind.UPSERT, data, -1);
      this.original = original;
    }

    @Override
    byte[] drainedValue() {
      return original != null ? original : Arrays.copyOfRange(super.data, super.cycle.keySize(), super.data.length);
    }

    @Override
    boolean claimRestore() {
      return RESTORED.compareAndSet(this, false, true);
    }
  }
}
