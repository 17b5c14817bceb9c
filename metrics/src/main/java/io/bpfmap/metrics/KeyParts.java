package io.bpfmap.metrics;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys of a map whose labels decode alike (a kernel symbol's offsets, an allow-list's
 * survivors, a table's unknown numbers kept as one), each with what it holds: a series shows
 * their sum, as ebpf_exporter sums them, never one key's value over another's. Used on the
 * stream's thread only.
 *
 * @param <T> what one key holds
 */
final class KeyParts<T> {
  /** One key's part and the cycle it was last read in. */
  private record Part<T>(T value, long seen) {}

  private final Map<ByteBuffer, Part<T>> parts = new HashMap<>(2);

  /** {@return the key at {@code key}, copied once: what the other methods take} */
  static ByteBuffer keyOf(MemorySegment key) {
    return ByteBuffer.wrap(key.toArray(ValueLayout.JAVA_BYTE));
  }

  /** Sets the key's part, read in {@code cycle}; returns the part it held before, or null. */
  T put(ByteBuffer key, T value, long cycle) {
    Part<T> before = parts.put(key, new Part<>(value, cycle));
    return before == null ? null : before.value();
  }

  /** Removes the key's part; returns it, or null. */
  T remove(ByteBuffer key) {
    Part<T> gone = parts.remove(key);
    return gone == null ? null : gone.value();
  }

  /** {@return true when no key holds a part} */
  boolean isEmpty() {
    return parts.isEmpty();
  }

  /** Removes the parts not read in {@code cycle} (a SNAPSHOT cycle's end); true when none is left. */
  boolean removeUnseen(long cycle) {
    return removeUnseen(cycle, gone -> { });
  }

  /** {@link #removeUnseen(long)}, handing each part removed to {@code removed} first. */
  boolean removeUnseen(long cycle, java.util.function.Consumer<T> removed) {
    parts.values().removeIf(p -> {
      if (p.seen() != cycle) {
        removed.accept(p.value());
        return true;
      }
      return false;
    });
    return parts.isEmpty();
  }

  /** {@return how many keys hold a part} */
  int size() {
    return parts.size();
  }

  /** {@return the parts, to sum} */
  Collection<T> values() {
    return parts.values().stream().map(Part::value).toList();
  }
}
