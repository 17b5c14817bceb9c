package io.bpfmap.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A kernel address as the name of the function that holds it, from {@code /proc/kallsyms} (read
 * once, and again when an address is not found, at most once a minute: modules load). The
 * nearest text symbol at or below the address names it, as bpftool and bcc do. An address below
 * every symbol, or any address when the kernel hides them ({@code kptr_restrict}: every address
 * is 0 to a reader without {@code CAP_SYSLOG}), is unknown, shown as {@code 0x…}.
 */
final class KsymDecoder implements LabelDecoder {
  private static final long RELOAD_NANOS = 60_000_000_000L;
  private final SystemTable<Symbols> symbols;

  KsymDecoder(Path kallsyms) {
    this.symbols = new SystemTable<>(() -> Symbols.read(kallsyms), RELOAD_NANOS);
  }

  /** Text symbols sorted by address (unsigned), as two arrays: compact for the kernel's 100 000s. */
  record Symbols(long[] addresses, String[] names) {
    static Symbols read(Path kallsyms) {
      List<long[]> order = new ArrayList<>();
      List<String> names = new ArrayList<>();
      try (Stream<String> lines = Files.lines(kallsyms)) {
        lines.forEach(line -> {
          String[] f = line.split("\\s+", 4);
          if (f.length >= 3 && "tTwW".contains(f[1]) && f[1].length() == 1) {
            long address = Long.parseUnsignedLong(f[0], 16);
            if (address != 0) {
              order.add(new long[] {address, names.size()});
              names.add(f[2]);
            }
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + kallsyms + ": " + e.getMessage(), e);
      }
      order.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
      long[] addresses = new long[order.size()];
      String[] sorted = new String[order.size()];
      for (int i = 0; i < addresses.length; i++) {
        addresses[i] = order.get(i)[0];
        sorted[i] = names.get((int) order.get(i)[1]);
      }
      return new Symbols(addresses, sorted);
    }

    /** The symbol at or below {@code address}, or null. */
    String at(long address) {
      // kernel addresses are all in the upper half: flipping the sign bit orders them as signed longs
      long key = address ^ Long.MIN_VALUE;
      int lo = 0;
      int hi = addresses.length - 1;
      int found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if ((addresses[mid] ^ Long.MIN_VALUE) <= key) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found < 0 ? null : names[found];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Symbols s && Arrays.equals(addresses, s.addresses) && Arrays.equals(names, s.names);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(addresses);
    }

    @Override
    public String toString() {
      return addresses.length + " symbols";
    }
  }

  @Override
  public String decode(Object value, byte[] raw) {
    long address = LabelDecoder.number(value, "ksym");
    String name = address == 0 ? null : symbols.find(s -> s.at(address));
    if (name == null) {
      throw new UnknownValue("0x" + Long.toHexString(address));
    }
    return name;
  }

  @Override
  public String refuses(int bytes) {
    return LabelDecoder.needs("ksym", 8, bytes);
  }
}
