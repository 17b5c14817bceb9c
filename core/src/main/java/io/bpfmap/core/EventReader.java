package io.bpfmap.core;

import java.lang.foreign.MemorySegment;

/**
 * Reads the records BPF programs write into a {@link MapType#RINGBUF} or a
 * {@link MapType#PERF_EVENT_ARRAY}, in the order the kernel committed them (a perf event array
 * keeps that order per CPU only: its rings are one per CPU). A reader takes records
 * only when {@link #read} asks, so a reader that stops reading leaves them in the kernel, where the
 * ring fills and the kernel drops what the programs write next. {@link #await} sleeps in
 * {@code epoll_wait} until records are ready: an idle reader uses no CPU.
 *
 * <p>A reader holds its own file descriptor and mappings; one thread reads and awaits, any thread
 * may {@link #wake} it; close it from the reading thread once it stopped.
 */
public sealed interface EventReader extends AutoCloseable permits RingBufferReader, PerfBufferReader {
  /** Where {@link #read} hands records. */
  @FunctionalInterface
  interface Handler {
    /**
     * One record.
     *
     * @param cpu the CPU whose perf ring held it, or -1 for a ring buffer (one ring for all CPUs)
     * @param data the record in place, valid only during this call: copy what you keep
     */
    void onEvent(int cpu, MemorySegment data);
  }

  /**
   * A reader of {@code map}: the map's own memory for a ring buffer (mapped into this process),
   * libbpf's perf buffer (a perf ring of {@code perfPages} pages per CPU) for a perf event array.
   * The map must be open {@link OpenMode#READ_WRITE} (consuming moves the ring's read position).
   *
   * @param map a ring buffer or perf event array; the reader does not close it
   * @param perfPages pages per CPU for a perf event array (a power of two); ignored for a ring buffer
   * @return the reader, to close
   * @throws BpfException when the map is of another type, read-only, or the kernel refuses
   */
  static EventReader open(BpfMap map, int perfPages) {
    return switch (map.info().type()) {
      case RINGBUF -> RingBufferReader.open(map);
      case PERF_EVENT_ARRAY -> PerfBufferReader.open(map, perfPages);
      default -> throw new BpfException("read events", map.target(), 0, "a " + map.info().type()
          + " holds no events: give a RINGBUF or PERF_EVENT_ARRAY map");
    };
  }

  /**
   * Hands up to {@code max} ready records to {@code handler} and returns at once.
   *
   * @param max the most records to take out of the kernel, at least 1
   * @param handler called on this thread for each record
   * @return the number of records handed
   * @throws BpfException when the kernel fails the read
   */
  int read(int max, Handler handler);

  /**
   * Records taken out of the kernel together, copied into one array: record {@code i} is
   * {@code lengths[i]} bytes at {@code offsets[i]} of {@code data}, from the perf ring of CPU
   * {@code cpus[i]} ({@code cpus} is null for a ring buffer).
   *
   * @param data the records' bytes (and, between them, what the ring held around them)
   * @param offsets where each record starts in {@code data}
   * @param lengths each record's length in bytes
   * @param cpus each record's CPU, or null for a ring buffer
   * @param count how many records; the arrays may be longer
   */
  record Records(byte[] data, int[] offsets, int[] lengths, int[] cpus, int count) {}

  /**
   * Takes up to {@code max} ready records out of the kernel at once, each copied once into one
   * array: for a ring buffer, one bulk copy of the span they occupy. Returns at once.
   *
   * @param max the most records to take, at least 1
   * @return the records, possibly none
   * @throws BpfException when the kernel fails the read
   */
  default Records readRecords(int max) {
    RecordsBuffer out = new RecordsBuffer();
    read(max, out);
    return out.records();
  }

  /**
   * Records in place in a ring buffer's memory: record {@code i} starts at {@code offsets[i]} of
   * {@code data} and is at least as long as asked, until {@code release} runs; the ring's space is
   * freed in the order views were taken, as they are released. {@code offsets} is the reader's and
   * is reused once the view is released.
   *
   * @param data the ring's memory the records occupy, read-only
   * @param offsets where each record starts
   * @param count how many records (possibly 0 when all were discarded or short)
   * @param tooShort records left out because they were shorter than asked
   * @param longest the length of the longest record taken
   * @param release frees the view's space and takes back {@code offsets}; run it once, from any thread
   */
  record View(MemorySegment data, int[] offsets, int count, int tooShort, int longest, Runnable release) {}

  /**
   * Takes up to {@code max} ready records in place, without copying them: their space stays taken
   * until the view is released. Ring buffers only; returns at once.
   *
   * @param max the most records to take, at least 1
   * @param minLength records shorter than this are passed over (counted in {@link View#tooShort})
   * @return the records, or null when none is ready
   * @throws BpfException for a perf event array, whose records libbpf copies out of its rings
   */
  default View view(int max, int minLength) {
    throw new BpfException("read events", "perf event array", 0, "records in place come from ring buffers only: "
        + "a perf event array's are read through copies");
  }

  /**
   * Blocks until records are ready, {@link #wake} is called or the time passes.
   *
   * @param timeoutMillis the most to wait, -1 for no limit
   * @throws BpfException when {@code epoll_wait} fails
   */
  void await(int timeoutMillis);

  /** Makes a waiting {@link #await} (or the next one) return at once; safe from any thread. */
  void wake();

  /**
   * {@return the records the kernel reported lost since this reader opened} A perf event array
   * counts the samples it could not write because its ring was full; the kernel reports a loss in
   * the ring itself once there is room again, so the count grows when the next sample after the
   * loss is read. A ring buffer's kernel side
   * keeps no such count (a failed {@code bpf_ringbuf_reserve} is known only to the program), so
   * for it this is always 0: count reserve failures in the program.
   */
  long lost();

  /** Unmaps the rings and closes the reader's descriptors; the map itself stays open. */
  @Override
  void close();
}
