package io.bpfmap.core.stream;

import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Iterator;

/**
 * Records an {@link EventStream} took out of a ring in one read: for rates where an object per
 * event costs more than the event. A batch of {@link EventStream#batches()} holds copies, made
 * together once into one array (hidden fields zeroed), and needs no release. A batch of
 * {@link EventStream#views()} is a view of the ring's own memory: the ring's space is freed when
 * the batch is {@linkplain #release() released}, in order, and a batch must not be read after its
 * release (it would read what the programs wrote since, or fail). {@link #record} gives a record in place; iterating gives
 * each as a {@link MapEvent} (sharing a copied batch's array; copied out of a view).
 */
public final class EventBatch implements Iterable<MapEvent> {
  private final RecordView view;
  private final long firstSeq;
  private final Instant read;
  private final MemorySegment data;
  private final int[] offsets;
  private final int[] cpus;
  private final int size;
  /** Frees a view's ring space, once; nothing for a batch of copies. */
  private final Once release;

  EventBatch(RecordView view, long firstSeq, Instant read, MemorySegment data, int[] offsets, int[] cpus,
      int size, Runnable release) {
    this.view = view;
    this.firstSeq = firstSeq;
    this.read = read;
    this.data = data;
    this.offsets = offsets;
    this.cpus = cpus;
    this.size = size;
    this.release = new Once(release);
  }

  /**
   * Frees the ring space a view holds (the ring's space is freed in the order views were read,
   * so an unreleased view holds back those after it); a no-op for a batch of copies and when
   * released already. Safe from any thread.
   */
  public void release() {
    release.run();
  }

  /** {@return how many records the batch holds} */
  public int size() {
    return size;
  }

  /** {@return the number of the batch's first event in the stream, counting from 1} */
  public long firstSeq() {
    return firstSeq;
  }

  /** {@return when the batch was read} */
  public Instant read() {
    return read;
  }

  /**
   * {@return record {@code i} in place, as many bytes as the layout has, read-only}
   * @param i from 0 to {@link #size()} - 1
   * @throws IndexOutOfBoundsException for any other {@code i}
   */
  public MemorySegment record(int i) {
    return data.asSlice(offset(i), view.valueLayout().size()).asReadOnly();
  }

  /**
   * {@return the CPU whose perf ring held record {@code i}, or -1 for a ring buffer}
   * @param i from 0 to {@link #size()} - 1
   */
  public int cpu(int i) {
    offset(i);
    return cpus == null ? -1 : cpus[i];
  }

  /**
   * {@return record {@code i} as an event, sharing the batch's array}
   * @param i from 0 to {@link #size()} - 1
   */
  public MapEvent event(int i) {
    MemorySegment r = data.asSlice(offset(i), view.valueLayout().size());
    return new RingEvent(view, firstSeq + i, read, cpu(i), data.isNative()
        ? MemorySegment.ofArray(r.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)) : r);
  }

  @Override
  public Iterator<MapEvent> iterator() {
    return Indexed.iterator(size, this::event);
  }


  private int offset(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("record " + i + " of a batch of " + size);
    }
    return offsets[i];
  }

  @Override
  public String toString() {
    return view.map() + " batch of " + size + " from #" + firstSeq;
  }
}
