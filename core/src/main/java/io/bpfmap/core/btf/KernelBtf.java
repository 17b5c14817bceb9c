package io.bpfmap.core.btf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.internal.libbpf.Structs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * BTF objects of the running kernel, fetched by id ({@code BPF_BTF_GET_FD_BY_ID}, then
 * {@code bpf_obj_get_info_by_fd} for the raw bytes) and read with {@link Btf#parse}. A kernel
 * module's BTF is split: it is read on top of vmlinux's ({@code /sys/kernel/btf/vmlinux}).
 */
public final class KernelBtf {
  private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

  private KernelBtf() {}

  /**
   * {@return the BTF object with this id, read on top of vmlinux's when it is a module's}
   * @param id a BTF object's id, such as a map's {@code btf_id}
   * @throws io.bpfmap.core.NativeUnavailableException when libbpf or native access is missing
   * @throws BpfException with the kernel's errno when the object cannot be opened or read
   *     (ENOENT: no such id; EPERM: the process needs CAP_SYS_ADMIN)
   * @throws BtfException when its bytes are not valid BTF
   */
  public static Btf byId(int id) {
    Libbpf.ensureAvailable();
    int fd = Libbpf.btfGetFdById(id);
    if (fd < 0) {
      throw new BpfException("open BTF", "BTF id " + id, -fd, "");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment name = a.allocate(64);
      MemorySegment info = Structs.btfInfo(a, MemorySegment.NULL, name);
      info(fd, id, info, a);
      MemorySegment raw = a.allocate(Math.max(1, Structs.btfSize(info)));
      info = Structs.btfInfo(a, raw, name);
      info(fd, id, info, a);
      byte[] bytes = raw.asSlice(0, Structs.btfSize(info)).toArray(JAVA_BYTE);
      boolean module = Structs.kernelBtf(info) && !name.getString(0).equals("vmlinux");
      return Btf.parse(bytes, module ? vmlinux() : null);
    } finally {
      Libbpf.close(fd);
    }
  }

  private static void info(int fd, int id, MemorySegment info, Arena a) {
    int rc = Libbpf.objGetInfo(fd, info, a.allocateFrom(JAVA_INT, (int) Structs.BTF_INFO_SIZE));
    if (rc < 0) {
      throw new BpfException("read BTF", "BTF id " + id, -rc, "");
    }
  }

  /**
   * {@return the kernel's own BTF, read from {@code /sys/kernel/btf/vmlinux}; read anew each call}
   * @throws BpfException when that file cannot be read (a kernel without CONFIG_DEBUG_INFO_BTF)
   * @throws BtfException when its bytes are not valid BTF
   */
  public static Btf vmlinux() {
    try {
      return Btf.parse(Files.readAllBytes(VMLINUX));
    } catch (IOException e) {
      throw new BpfException("read BTF", VMLINUX.toString(), 0, "the kernel has no BTF there ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
