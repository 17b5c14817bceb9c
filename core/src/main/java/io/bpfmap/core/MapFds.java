package io.bpfmap.core;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Structs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * How a map's file descriptor is had: created, opened from a pin, or opened by id; and the
 * map's info read from it. Each call returns a new fd the caller owns, or throws the one-line
 * error of what went wrong (and owns nothing).
 */
final class MapFds {
  private MapFds() {}

  static int create(MapSpec spec) {
    Libbpf.ensureAvailable();
    try (Arena a = Arena.ofConfined()) {
      int rc = Libbpf.mapCreate(spec.type().id(), a.allocateFrom(spec.name()), spec.keySize(),
          spec.valueSize(), spec.maxEntries(), Structs.createOpts(a, spec.flags(), 0));
      if (rc < 0) {
        throw createFailure(spec, -rc);
      }
      return rc;
    }
  }

  static int pinned(Path pin, OpenMode mode) {
    Libbpf.ensureAvailable();
    try (Arena a = Arena.ofConfined()) {
      int rc = Libbpf.objGet(a.allocateFrom(pin.toString()), Structs.objGetOpts(a, mode.fileFlags()));
      if (rc < 0) {
        throw Failures.onPath("open pin", pin, -rc);
      }
      String kind = Failures.fdKind(rc);
      if (!kind.equals("map")) {
        Libbpf.close(rc);
        throw Failures.notAMap(pin, kind);
      }
      return rc;
    }
  }

  static int byId(int id, OpenMode mode) {
    Libbpf.ensureAvailable();
    String target = "map id " + id;
    if (mode == OpenMode.READ_ONLY && !Libbpf.canOpenByIdReadOnly()) {
      throw new UnsupportedFeatureException("open", target, 0,
          "read-only open by id (libbpf 1.1's bpf_map_get_fd_by_id_opts)", "");
    }
    int rc = Libbpf.mapGetFdById(id, mode.fileFlags());
    if (rc < 0) {
      throw switch (-rc) {
        case Errno.ENOENT -> new MapNotFoundException("open", target, -rc, "no map has this id");
        case Errno.EPERM, Errno.EACCES -> new BpfPermissionException("open", target, -rc,
            "the process needs CAP_SYS_ADMIN or root to open maps by id");
        default -> new BpfException("open", target, -rc, "");
      };
    }
    return rc;
  }

  /** The info of the map behind {@code fd}; on failure the fd is closed (once) and the error thrown. */
  static MapInfo info(int fd) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Structs.MAP_INFO_SIZE, 8);
      MemorySegment len = a.allocateFrom(JAVA_INT, (int) Structs.MAP_INFO_SIZE);
      int rc = Libbpf.objGetInfo(fd, buf, len);
      if (rc < 0) {
        throw new BpfException("get map info", "fd " + fd, -rc, "");
      }
      Structs.MapInfoStruct s = Structs.MapInfoStruct.read(buf);
      return new MapInfo(s.id(), MapType.ofId(s.type()), s.name(), s.keySize(), s.valueSize(),
          s.maxEntries(), s.flags(), s.btfId(), s.btfKeyTypeId(), s.btfValueTypeId(), s.mapExtra(),
          s.ifindex());
    } catch (RuntimeException e) {
      Libbpf.close(fd);
      throw e;
    }
  }

  private static BpfException createFailure(MapSpec spec, int errno) {
    String target = Failures.target(spec.name());
    return switch (errno) {
      case Errno.EPERM, Errno.EACCES ->
          new BpfPermissionException("create map", target, errno, "the process needs CAP_BPF or root");
      case Errno.EINVAL -> new BpfException("create map", target, errno, "the kernel refused "
          + spec.type().cliName() + " with key size " + spec.keySize() + ", value size "
          + spec.valueSize() + ", max entries " + spec.maxEntries() + ", flags " + MapFlags.names(spec.flags()));
      case Errno.ENOMEM -> new BpfException("create map", target, errno,
          "too large for the memory (or memlock limit) available");
      default -> new BpfException("create map", target, errno, "");
    };
  }

}
