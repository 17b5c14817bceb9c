package io.bpfmap.metrics;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A network interface index as the interface's name ({@code 1 → lo}), from
 * {@code /sys/class/net/NAME/ifindex}, read again when an index is not found (at most once a
 * second: interfaces come and go). An index no interface has is unknown, shown as its number.
 */
final class IfnameDecoder implements LabelDecoder {
  private static final long RESCAN_NANOS = 1_000_000_000L;
  private final SystemTable<Map<Long, String>> names;

  IfnameDecoder(Path sysClassNet) {
    this.names = new SystemTable<>(() -> read(sysClassNet), RESCAN_NANOS);
  }

  static Map<Long, String> read(Path dir) {
    Map<Long, String> out = new HashMap<>();
    try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(dir)) {
      for (Path i : interfaces) {
        try {
          out.put(Long.parseLong(Files.readString(i.resolve("ifindex")).strip()), i.getFileName().toString());
        } catch (IOException | NumberFormatException gone) {
          // removed while read
        }
      }
    } catch (IOException e) {
      // no such directory: every index is unknown
    }
    return out;
  }

  @Override
  public String decode(Object value, byte[] raw) {
    long index = LabelDecoder.number(value, "ifname");
    String name = names.find(m -> m.get(index));
    if (name == null) {
      throw new UnknownValue(Long.toUnsignedString(index));
    }
    return name;
  }

  @Override
  public String refuses(int bytes) {
    return bytes == 4 || bytes == 8 ? null : "ifname needs a 4- or 8-byte field, got " + bytes + " bytes";
  }
}
