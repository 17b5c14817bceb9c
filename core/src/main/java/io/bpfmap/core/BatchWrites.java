package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Structs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** {@code bpf_map_update_batch} and {@code bpf_map_delete_batch} for {@link BpfMap}. */
final class BatchWrites {
  private BatchWrites() {}

  static int update(BpfMap map, MemorySegment keys, MemorySegment values, int count) {
    String op = "batch update";
    requireSize(map, op, keys, (long) count * map.keySize(), "keys");
    requireSize(map, op, values, (long) count * map.valueBufferSize(), "values");
    try (Arena a = Arena.ofConfined()) {
      MemorySegment n = a.allocateFrom(JAVA_INT, count);
      int f = map.acquire(op);
      int rc;
      try {
        rc = Libbpf.updateBatch(f, keys, values, n, Structs.batchOpts(a, 0));
      } finally {
        map.release();
      }
      return result(map, op, rc, n.get(JAVA_INT, 0), count);
    }
  }

  static int update(BpfMap map, List<byte[]> keys, List<byte[]> values) {
    if (keys.size() != values.size()) {
      throw new BpfException("batch update", map.target(), 0,
          keys.size() + " keys but " + values.size() + " values");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = pack(a, map, "batch update", keys);
      MemorySegment v = a.allocate(Math.max(1L, (long) values.size() * map.valueBufferSize()), 8);
      for (int i = 0; i < values.size(); i++) {
        MemorySegment one = map.args().value(a, "batch update", values.get(i));
        MemorySegment.copy(one, 0, v, (long) i * map.valueBufferSize(), map.valueBufferSize());
      }
      return update(map, k, v, keys.size());
    }
  }

  static int delete(BpfMap map, MemorySegment keys, int count) {
    String op = "batch delete";
    requireSize(map, op, keys, (long) count * map.keySize(), "keys");
    try (Arena a = Arena.ofConfined()) {
      MemorySegment n = a.allocateFrom(JAVA_INT, count);
      int f = map.acquire(op);
      int rc;
      try {
        rc = Libbpf.deleteBatch(f, keys, n, Structs.batchOpts(a, 0));
      } finally {
        map.release();
      }
      return result(map, op, rc, n.get(JAVA_INT, 0), count);
    }
  }

  static int delete(BpfMap map, List<byte[]> keys) {
    try (Arena a = Arena.ofConfined()) {
      return delete(map, pack(a, map, "batch delete", keys), keys.size());
    }
  }

  private static MemorySegment pack(Arena a, BpfMap map, String op, List<byte[]> keys) {
    MemorySegment k = a.allocate(Math.max(1L, (long) keys.size() * map.keySize()), 8);
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      map.args().key(op, key);
      MemorySegment.copy(BpfMap.copy(a, key), 0, k, (long) i * map.keySize(), map.keySize());
    }
    return k;
  }

  private static int result(BpfMap map, String op, int rc, int done, int count) {
    if (rc == 0) {
      return done;
    }
    if (rc == -Errno.ENOTSUPP || rc == -Errno.EOPNOTSUPP) {
      throw Failures.unsupported(op, map.target(), -rc, map.info().type());
    }
    BpfException cause = map.failure(op, -rc);
    if (done >= count) {
      throw cause;
    }
    String m = cause.getMessage();
    int i = m.indexOf("): ");
    throw new BpfException(op, map.target(), -rc, "stopped after " + done + " of " + count + " entries"
        + (i < 0 ? "" : "; " + m.substring(i + 3)));
  }

  private static void requireSize(BpfMap map, String op, MemorySegment s, long bytes, String what) {
    if (s.byteSize() < bytes || !s.isNative()) {
      throw new BpfException(op, map.target(), 0, what + " segment must be native and hold " + bytes + " bytes");
    }
  }
}
