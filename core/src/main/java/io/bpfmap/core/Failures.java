package io.bpfmap.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a failed syscall into the right {@link BpfException}, with a hint where one helps. */
final class Failures {
  private Failures() {}

  static String target(String mapName) {
    return "map '" + mapName + "'";
  }

  /** A failed element or batch operation on an open map. */
  static BpfException onMap(String operation, MapInfo info, OpenMode mode, int errno) {
    String target = target(info.name());
    return switch (errno) {
      case Errno.EPERM, Errno.EACCES -> new BpfPermissionException(operation, target, errno,
          mode == OpenMode.READ_ONLY ? "the map was opened read-only" : "the process needs CAP_BPF or root");
      case Errno.E2BIG -> new BpfException(operation, target, errno, info.type().arrayLike()
          ? "the index is past the array's end (max_entries " + info.maxEntries() + ": indexes 0 to "
              + (info.maxEntries() - 1L) + ")"
          : "the map is full (max_entries " + info.maxEntries() + ")");
      case Errno.EEXIST -> new BpfException(operation, target, errno,
          "the key is already present (UpdateFlag.NOEXIST)");
      case Errno.EBADF -> new MapNotFoundException(operation, target, errno, "the map's fd is gone");
      case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> unsupported(operation, target, errno, info.type());
      case Errno.EINVAL -> info.type().arrayLike() && operation.contains("delete")
          ? new BpfException(operation, target, errno, info.type().cliName() + " maps have no delete")
          : new BpfException(operation, target, errno, "");
      default -> new BpfException(operation, target, errno, "");
    };
  }

  /**
   * ENOTSUPP/EOPNOTSUPP: the map type lacks the operation. EINVAL from a batch command: the kernel
   * predates batch operations (Linux 5.6).
   */
  static UnsupportedFeatureException unsupported(String operation, String target, int errno, MapType type) {
    if (errno == Errno.EINVAL && operation.startsWith("batch")) {
      return new UnsupportedFeatureException(operation, target, errno, operation, "5.6");
    }
    return new UnsupportedFeatureException(operation, target, errno,
        operation + " on " + type.cliName() + " maps", "");
  }

  /** A failed open or pin of a path: missing path, bpffs not mounted, not a map, permissions. */
  static BpfException onPath(String operation, Path pin, int errno) {
    String target = pin.toString();
    Path bpffs = Bpffs.mountPointOf(pin);
    if (bpffs == null) {
      return new BpfException(operation, target, errno, pin + " is not on a bpf filesystem"
          + " (mount one: mount -t bpf bpf /sys/fs/bpf)");
    }
    return switch (errno) {
      case Errno.ENOENT -> new MapNotFoundException(operation, target, errno,
          Files.exists(pin.getParent() == null ? pin : pin.getParent())
              ? "nothing is pinned there" : "the directory " + pin.getParent() + " does not exist");
      case Errno.EEXIST -> new BpfException(operation, target, errno, "something is already pinned there");
      case Errno.EPERM, Errno.EACCES -> Files.isDirectory(pin)
          ? new BpfException(operation, target, errno, "it is a directory, not a pinned object")
          : operation.equals("pin") && pin.getFileName() != null && pin.getFileName().toString().contains(".")
          ? new BpfException(operation, target, errno, "bpffs refuses names that contain a dot")
          : new BpfPermissionException(operation, target, errno,
              pinOwnedByOther(pin) ? "no permission on the pin (check its owner and mode)"
                  : "the process needs CAP_BPF or root");
      default -> new BpfException(operation, target, errno, "");
    };
  }

  private static boolean pinOwnedByOther(Path pin) {
    try {
      return Files.exists(pin) && !Files.isReadable(pin);
    } catch (SecurityException e) {
      return true;
    }
  }

  static BpfException notAMap(Path pin, String kind) {
    return new MapNotFoundException("open pin", pin.toString(), 0, "it holds a BPF " + kind + ", not a map");
  }

  static String fdKind(int fd) {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return link.startsWith("anon_inode:bpf-") ? link.substring("anon_inode:bpf-".length()) : link;
    } catch (IOException e) {
      return "map";
    }
  }
}
