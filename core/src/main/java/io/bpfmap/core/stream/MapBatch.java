package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.Iterator;

/**
 * The entries one batch read of a {@link MapStream} cycle took from the kernel, in the stream's
 * own buffers, read in place by {@link MapStream#views()}: no copy and no object per entry. A cycle
 * is its batches, then a batch of none that {@linkplain #endsCycle() ends it} (what a CYCLE_END
 * event says).
 *
 * <p>The subscriber must {@linkplain #release() release} every batch it gets, from any thread and
 * in any order: the stream reads its next batches into the buffers batches give back, so a
 * stream whose batches are all held waits (it has two sets of buffers), and the buffers are freed
 * only once every batch is released. A batch must not be read after its release: the kernel
 * writes the next batches into its buffers.
 *
 * <p>Entry {@code i}'s key is at {@link #keyOffset}{@code (i)} in {@link #keys()} and its value at
 * {@link #valueOffset}{@code (i)} in {@link #values()}, as the stream's {@link RecordView} lays
 * them out: read fields there with the layouts' {@code FieldAccessor}s, which allocate nothing.
 * {@link #key(int)} and {@link #value(int)} give slices, {@link #event(int)} a copy that outlives
 * the batch.
 */
public final class MapBatch implements Iterable<MapEvent> {
  private final Event.Cycle cycle;
  private final MemorySegment keys;
  private final MemorySegment values;
  private final int size;
  private final int valueStride;
  private final boolean end;
  /** Gives the buffers back to the stream, once; nothing for a batch that ends a cycle. */
  private final Once release;

  MapBatch(Event.Cycle cycle, MemorySegment keys, MemorySegment values, int size, int valueStride,
      Runnable release) {
    this.cycle = cycle;
    this.end = release == null;
    this.keys = keys.asSlice(0, (long) size * cycle.keySize()).asReadOnly();
    this.values = values.asSlice(0, (long) size * valueStride).asReadOnly();
    this.size = size;
    this.valueStride = valueStride;
    this.release = new Once(release);
  }

  /** The batch of none that ends a cycle which read {@code entriesRead} entries. */
  static MapBatch cycleEnd(Event.Cycle cycle, long entriesRead, boolean complete) {
    return new MapBatch(cycle.ended(entriesRead, complete), MemorySegment.NULL, MemorySegment.NULL, 0, 0, null);
  }

  /**
   * Gives the batch's buffers back to the stream, which may read into them at once. Idempotent,
   * safe from any thread; a no-op for a batch that ends a cycle.
   */
  public void release() {
    release.run();
  }

  /** {@return the stream's name: by default the map's kernel name} */
  public String map() {
    return cycle.view().map();
  }

  /** {@return the cycle the batch belongs to, from 1} */
  public long cycle() {
    return cycle.number();
  }

  /** {@return when the cycle started reading} */
  public Instant cycleStart() {
    return cycle.start();
  }

  /** {@return how many entries the batch holds; 0 for the batch that ends a cycle} */
  public int size() {
    return size;
  }

  /** {@return true for the batch of none that ends a cycle} */
  public boolean endsCycle() {
    return end;
  }

  /** {@return for the batch that ends a cycle, the entries the cycle read; 0 otherwise} */
  public long entriesRead() {
    return cycle.entriesRead();
  }

  /** {@return for the batch that ends a cycle, false when the cycle could not read the whole map} */
  public boolean complete() {
    return cycle.complete();
  }

  /** {@return the batch's keys, read-only: key {@code i} at {@link #keyOffset}{@code (i)}} */
  public MemorySegment keys() {
    return keys;
  }

  /** {@return the batch's values, read-only: value {@code i} at {@link #valueOffset}{@code (i)}} */
  public MemorySegment values() {
    return values;
  }

  /**
   * {@return where key {@code i} starts in {@link #keys()}}
   * @param i from 0 to {@link #size()} - 1
   * @throws IndexOutOfBoundsException for any other {@code i}
   */
  public long keyOffset(int i) {
    return (long) check(i) * cycle.keySize();
  }

  /**
   * {@return where value {@code i} starts in {@link #values()}}
   * @param i from 0 to {@link #size()} - 1
   * @throws IndexOutOfBoundsException for any other {@code i}
   */
  public long valueOffset(int i) {
    return (long) check(i) * valueStride;
  }

  /**
   * {@return key {@code i}, read-only, in place}
   * @param i from 0 to {@link #size()} - 1
   */
  public MemorySegment key(int i) {
    return keys.asSlice(keyOffset(i), cycle.keySize());
  }

  /**
   * {@return value {@code i}, read-only, in place: as many bytes as the value layout has}
   * @param i from 0 to {@link #size()} - 1
   */
  public MemorySegment value(int i) {
    return values.asSlice(valueOffset(i), cycle.view().valueLayout().size());
  }

  /**
   * {@return entry {@code i} as a SNAPSHOT UPSERT event: a copy, which outlives the batch}
   * @param i from 0 to {@link #size()} - 1
   */
  public MapEvent event(int i) {
    int k = cycle.keySize();
    int v = cycle.view().valueLayout().size();
    byte[] data = new byte[k + v];
    MemorySegment.copy(keys, ValueLayout.JAVA_BYTE, keyOffset(i), data, 0, k);
    MemorySegment.copy(values, ValueLayout.JAVA_BYTE, valueOffset(i), data, k, v);
    return new Event(cycle, MapEvent.Kind.UPSERT, data, -1);
  }

  /** {@return the entries as events, each a copy ({@link #event(int)})} */
  @Override
  public Iterator<MapEvent> iterator() {
    return Indexed.iterator(size, this::event);
  }


  private int check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("entry " + i + " of a batch of " + size);
    }
    return i;
  }

  @Override
  public String toString() {
    return map() + "#" + cycle() + (end ? " end of cycle, " + entriesRead() + " read"
        : " batch of " + size);
  }
}
