package io.bpfmap.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A number's name from a table of bpfmap's own ({@code errno.txt}, {@code syscalls-ARCH.txt},
 * written by {@code scripts/gen-decoder-tables} from the kernel's headers). A number the table
 * lacks is unknown: counted, and shown as a number.
 */
final class NumberTableDecoder implements LabelDecoder {
  private final String what;
  private final Map<Long, String> names;
  private final boolean absolute;

  /**
   * @param what the decoder's name, for errors ({@code errno}, {@code syscall})
   * @param resource the table's file next to this class
   * @param absolute take a negative number's absolute value (a program's {@code -errno})
   */
  NumberTableDecoder(String what, String resource, boolean absolute) {
    this.what = what;
    this.names = read(resource);
    this.absolute = absolute;
  }

  static Map<Long, String> read(String resource) {
    try (InputStream in = NumberTableDecoder.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("bpfmap's table " + resource + " is missing from its jar");
      }
      Map<Long, String> names = new HashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.split(" ", 2);
          names.putIfAbsent(Long.parseLong(f[0]), f[1]);
        }
      }
      return Map.copyOf(names);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String decode(Object value, byte[] raw) {
    long given = LabelDecoder.number(value, what);
    long n = absolute && given < 0 && given != Long.MIN_VALUE ? -given : given;
    String name = names.get(n);
    if (name == null) {
      throw new UnknownValue(Long.toString(given));
    }
    return name;
  }

  @Override
  public String refuses(int bytes) {
    return bytes <= 8 ? null : what + " needs a field of at most 8 bytes, got " + bytes + " bytes";
  }
}
