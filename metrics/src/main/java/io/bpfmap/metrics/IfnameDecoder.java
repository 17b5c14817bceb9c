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
final class IfnameDecoder extends TableDecoder {
  IfnameDecoder(Path sysClassNet) {
    super("ifname", () -> read(sysClassNet), Long::toUnsignedString, 4, 8);
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

}
