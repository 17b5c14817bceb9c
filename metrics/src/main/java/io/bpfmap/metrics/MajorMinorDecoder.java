package io.bpfmap.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A block device number as the kernel keeps it ({@code dev_t}: major in the bits above 20, minor
 * in the 20 below, as {@code bio->bi_bdev->bd_dev} or {@code disk_devt()} give it) as the device's
 * name ({@code sda}, {@code nvme0n1p1}), from {@code /proc/partitions}, read again when a number
 * is not found (at most once a second). A number no block device has is unknown, shown as
 * {@code major:minor}.
 */
final class MajorMinorDecoder extends TableDecoder {
  private static final int MINOR_BITS = 20;

  MajorMinorDecoder(Path partitions) {
    super("majorminor", () -> read(partitions), dev -> (dev >>> MINOR_BITS) + ":" + (dev & ((1 << MINOR_BITS) - 1)), 4, 8);
  }

  static Map<Long, String> read(Path partitions) {
    Map<Long, String> out = new HashMap<>();
    try {
      for (String line : Files.readAllLines(partitions)) {
        String[] f = line.strip().split("\\s+");
        if (f.length == 4 && f[0].matches("\\d+") && f[1].matches("\\d+")) {
          out.put((Long.parseLong(f[0]) << MINOR_BITS) | Long.parseLong(f[1]), f[3]);
        }
      }
    } catch (IOException e) {
      // no partitions file: every number is unknown
    }
    return out;
  }

}
