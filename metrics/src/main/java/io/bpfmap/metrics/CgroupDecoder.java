package io.bpfmap.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A cgroup id ({@code bpf_get_current_cgroup_id()}) as the cgroup's path in the cgroup v2
 * hierarchy ({@code /system.slice/ssh.service}): on cgroup v2 the id is the inode number of the
 * cgroup's directory. The tree is walked at first use, and again when an id is not found (at most
 * once a second), so cgroups created later are found and removed ones forgotten. An id not in the
 * tree is unknown, shown as its number.
 */
final class CgroupDecoder extends TableDecoder {
  CgroupDecoder(Path root) {
    super("cgroup", () -> walk(root), Long::toUnsignedString, 8);
  }

  /** The cgroup v2 mount of this system: {@code /sys/fs/cgroup}, or its {@code unified} part on a hybrid one. */
  static Path defaultRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        // ... mount-point ... - cgroup2 ...
        List<String> f = List.of(line.split(" "));
        int dash = f.indexOf("-");
        if (dash > 0 && dash + 1 < f.size() && f.get(dash + 1).equals("cgroup2")) {
          return Path.of(f.get(4));
        }
      }
    } catch (IOException | RuntimeException e) {
      // no mountinfo: the usual place
    }
    return Path.of("/sys/fs/cgroup");
  }

  static Map<Long, String> walk(Path root) {
    Map<Long, String> out = new HashMap<>();
    try (Stream<Path> dirs = Files.walk(root)) {
      dirs.filter(Files::isDirectory).forEach(d -> {
        try {
          long inode = ((Number) Files.getAttribute(d, "unix:ino")).longValue();
          out.put(inode, "/" + root.relativize(d).toString().replace('\\', '/'));
        } catch (IOException | RuntimeException gone) {
          // removed while walking
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a tree that changes while walked: what was read stands
    }
    return out;
  }

}
