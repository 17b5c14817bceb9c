package io.bpfmap.metrics;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A table read from the system ({@code /proc}, {@code /sys}) that changes as the system does
 * (cgroups, interfaces, disks come and go): read at first use, and read again when a lookup
 * misses, at most once per {@code minNanos}, so that a value that stays unknown cannot make every
 * event rescan. Lookups run on the stream's thread; a reload replaces the table whole.
 *
 * @param <T> the table's type
 */
final class SystemTable<T> {
  private final Supplier<T> load;
  private final long minNanos;
  private volatile T table;
  private volatile long loadedAt;

  SystemTable(Supplier<T> load, long minNanos) {
    this.load = load;
    this.minNanos = minNanos;
  }

  /** {@code lookup} on the table; when it gives null, on the table read again if it is due. */
  <R> R find(Function<T, R> lookup) {
    T t = table;
    if (t == null) {
      t = reload();
    }
    R r = lookup.apply(t);
    if (r == null && System.nanoTime() - loadedAt >= minNanos) {
      r = lookup.apply(reload());
    }
    return r;
  }

  private synchronized T reload() {
    T t = load.get();
    table = t;
    loadedAt = System.nanoTime();
    return t;
  }
}
