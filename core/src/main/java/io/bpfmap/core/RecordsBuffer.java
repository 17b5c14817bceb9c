package io.bpfmap.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Records appended one by one into growing arrays, each copied once; the arrays are handed over
 * as they are (not trimmed) by {@link #records()}.
 */
final class RecordsBuffer implements EventReader.Handler {
  private byte[] data = new byte[4096];
  private int[] offsets = new int[64];
  private int[] lengths = new int[64];
  private int[] cpus = new int[64];
  private int count;
  private int used;

  @Override
  public void onEvent(int cpu, MemorySegment record) {
    int n = (int) record.byteSize();
    if (used + n > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, used + n));
    }
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
      cpus = Arrays.copyOf(cpus, count * 2);
    }
    MemorySegment.copy(record, ValueLayout.JAVA_BYTE, 0, data, used, n);
    offsets[count] = used;
    lengths[count] = n;
    cpus[count] = cpu;
    count++;
    used += n;
  }

  EventReader.Records records() {
    return new EventReader.Records(data, offsets, lengths, cpus, count);
  }
}
