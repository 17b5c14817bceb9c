package io.bpfmap.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the bpf filesystems are mounted, read from {@code /proc/self/mounts}. */
public final class Bpffs {
  /** The usual mount point. */
  public static final Path DEFAULT = Path.of("/sys/fs/bpf");

  private Bpffs() {}

  /**
   * {@return true when {@code dir} is itself the mount point of a bpf filesystem}
   * @param dir a directory, made absolute and normalized before the comparison
   */
  public static boolean isMounted(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return mounts().stream().anyMatch(abs::equals);
  }

  /**
   * {@return the bpf mount that holds {@code path} (the deepest, if mounts nest), or {@code null}
   * when it is not on bpffs}
   * @param path any path; it need not exist (a pin about to be made)
   */
  public static Path mountPointOf(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Path best = null;
    for (Path m : mounts()) {
      if (abs.startsWith(m) && (best == null || m.getNameCount() > best.getNameCount())) {
        best = m;
      }
    }
    return best;
  }

  private static List<Path> mounts() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
          .map(line -> line.split(" "))
          .filter(f -> f.length > 2 && f[2].equals("bpf"))
          .map(f -> Path.of(f[1].replace("\\040", " ")))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
