package io.bpfmap.core;

import io.bpfmap.core.internal.libbpf.Libbpf;
import java.util.ArrayList;
import java.util.List;

/** The per-CPU value layout: one {@code round_up(value_size, 8)} slot per possible CPU. */
final class PerCpu {
  private static volatile int possibleCpus;

  private PerCpu() {}

  static int possibleCpus() {
    int n = possibleCpus;
    if (n == 0) {
      Libbpf.ensureAvailable();
      n = Libbpf.numPossibleCpus();
      if (n <= 0) {
        throw new BpfException("count possible CPUs", "/sys/devices/system/cpu/possible", -n, "");
      }
      possibleCpus = n;
    }
    return n;
  }

  static int stride(int valueSize) {
    return (valueSize + 7) & ~7;
  }

  static List<byte[]> split(byte[] buffer, int valueSize) {
    int stride = stride(valueSize);
    List<byte[]> out = new ArrayList<>(buffer.length / Math.max(1, stride));
    for (int off = 0; off + valueSize <= buffer.length && stride > 0; off += stride) {
      byte[] v = new byte[valueSize];
      System.arraycopy(buffer, off, v, 0, valueSize);
      out.add(v);
    }
    return out;
  }

  static byte[] replicate(byte[] value, int cpus) {
    int stride = stride(value.length);
    byte[] out = new byte[stride * cpus];
    for (int cpu = 0; cpu < cpus; cpu++) {
      System.arraycopy(value, 0, out, cpu * stride, value.length);
    }
    return out;
  }

  static byte[] join(List<byte[]> values, int valueSize, String operation, String target) {
    int stride = stride(valueSize);
    byte[] out = new byte[stride * values.size()];
    for (int cpu = 0; cpu < values.size(); cpu++) {
      byte[] v = values.get(cpu);
      if (v.length != valueSize) {
        throw new BpfException(operation, target, 0, "value for CPU " + cpu + " is " + v.length
            + " bytes, the map's values are " + valueSize + " bytes");
      }
      System.arraycopy(v, 0, out, cpu * stride, valueSize);
    }
    return out;
  }
}
