package io.bpfmap.core.testing;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.Errno;
import io.bpfmap.core.ParsedMap;
import java.util.Map;

/** Writes from a test thread the way a BPF program fills a map that a reader drains. */
public final class Writes {
  private Writes() {}

  /** Updates {@code key}; while the map is full (E2BIG), waits a millisecond for a reader to make room. */
  public static void whenRoom(ParsedMap map, Map<String, ?> key, Map<String, ?> value) throws InterruptedException {
    while (true) {
      try {
        map.update(key, value);
        return;
      } catch (BpfException e) {
        if (e.errno() != Errno.E2BIG) {
          throw e;
        }
        Thread.sleep(1);
      }
    }
  }
}
