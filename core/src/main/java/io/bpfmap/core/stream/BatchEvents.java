package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.stream.MapEvent.Kind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The entries of one batch made into events one at a time, as a cycle asks for them: the mask,
 * the per-CPU policy (under PER_CPU, an event per CPU), the CHANGES filter, and what DRAIN keeps
 * to put an entry back. Used by one cycle's thread at a time.
 */
final class BatchEvents {
  private final RecordView view;
  private final Mode mode;
  private final PerCpuPolicy policy;
  private final int cpus;
  private final long stride;
  private final int keySize;
  private final int valueBuffer;
  /** The bytes of one (CPU's) value as the layout has it: what an event holds after the key. */
  private final int valueSize;
  /** DRAIN: an event's value is the kernel's whole value (nothing masked, one CPU), so it can be put back. */
  private final boolean drainedIsVisible;
  /** CHANGES: what the stream saw, to tell changes; null in the other modes. */
  private final ChangeFilter changes;
  private MemorySegment keys;
  private MemorySegment values;
  private int n;
  private int i;
  private int cpu;

  BatchEvents(BpfMap map, RecordView view, Mode mode, PerCpuPolicy policy, ChangeFilter changes) {
    this.view = view;
    this.mode = mode;
    this.policy = policy;
    this.changes = changes;
    this.cpus = map.valuesPerKey();
    this.stride = map.valueStride();
    this.keySize = map.keySize();
    this.valueBuffer = map.valueBufferSize();
    this.valueSize = view.valueLayout().size();
    this.drainedIsVisible = cpus == 1 && view.showsAll() && valueSize == valueBuffer;
  }

  /** The next batch: {@code n} entries in these buffers (the map's key size and value buffer size apart). */
  void start(MemorySegment keys, MemorySegment values, int n) {
    this.keys = keys;
    this.values = values;
    this.n = n;
    this.i = 0;
    this.cpu = 0;
  }

  /** {@return whether entries are left to make events of} */
  boolean hasNext() {
    return i < n;
  }

  /** The event for the next entry (and CPU) of cycle {@code info}; null when CHANGES finds it unchanged. */
  MapEvent next(Event.Cycle info) {
    long keyOff = (long) i * keySize;
    long valueOff = (long) i * valueBuffer;
    if (cpus > 1 && policy == PerCpuPolicy.PER_CPU) {
      if (cpu == 0 && changes != null && !changes.changed(keys, values, i, n, (int) info.number())) {
        i++;
        return null;
      }
      byte[] data = record(keyOff);
      view.copyVisible(values, valueOff + cpu * stride, data, keySize);
      Event e = new Event(info, Kind.UPSERT, data, cpu);
      if (++cpu == cpus) {
        cpu = 0;
        i++;
      }
      return e;
    }
    int entry = i++;
    if (changes != null && !changes.changed(keys, values, entry, n, (int) info.number())) {
      return null;
    }
    byte[] data = record(keyOff);
    if (cpus > 1) {
      view.aggregate(values, valueOff, cpus, stride, policy, data, keySize);
    } else {
      view.copyVisible(values, valueOff, data, keySize);
    }
    return switch (mode) {
      case SNAPSHOT -> new Event(info, Kind.UPSERT, data, -1);
      case CHANGES -> new Event.Changed(info, data, changes.lastFingerprint(), changes.lastCreated());
      case DRAIN -> new Event.Drained(info, data, drainedIsVisible ? null : copy(valueOff));
    };
  }

  /**
   * DRAIN: puts the entries no event was made of back into the map, and skips them; returns how
   * many keys exist again (conflicts).
   */
  int giveBackRest(GiveBack giveBack) {
    int conflicts = n > i ? giveBack.batch(keys, values, i, n) : 0;
    i = n;
    return conflicts;
  }

  /** A new record of this entry: its key, then room for its value. */
  private byte[] record(long keyOff) {
    byte[] data = new byte[keySize + valueSize];
    MemorySegment.copy(keys, ValueLayout.JAVA_BYTE, keyOff, data, 0, keySize);
    return data;
  }

  private byte[] copy(long valueOff) {
    byte[] out = new byte[valueBuffer];
    MemorySegment.copy(values, ValueLayout.JAVA_BYTE, valueOff, out, 0, valueBuffer);
    return out;
  }
}
