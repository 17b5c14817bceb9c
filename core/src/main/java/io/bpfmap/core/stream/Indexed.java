package io.bpfmap.core.stream;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** Iterates over what is read by index: a batch's events. */
final class Indexed {
  private Indexed() {}

  /** {@return an iterator over {@code at(0)} to {@code at(size - 1)}} */
  static <T> Iterator<T> iterator(int size, IntFunction<T> at) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public T next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return at.apply(next++);
      }
    };
  }
}
