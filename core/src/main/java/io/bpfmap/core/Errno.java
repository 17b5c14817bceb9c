package io.bpfmap.core;

import java.util.Map;

/**
 * Linux errno numbers that the BPF syscall returns, with their symbolic names.
 * Kernel-internal codes that leak out of bpf (524, ENOTSUPP) are included.
 */
public final class Errno {
  /** Operation not permitted: no CAP_BPF, or a write through a read-only fd. */
  public static final int EPERM = 1;
  /** No such file or directory: a missing key, pin or map id; the end of an iteration. */
  public static final int ENOENT = 2;
  /** Interrupted system call. */
  public static final int EINTR = 4;
  /** Argument list too long: the bpf syscall's answer to an update of a full map. */
  public static final int E2BIG = 7;
  /** Bad file descriptor. */
  public static final int EBADF = 9;
  /** Resource temporarily unavailable. */
  public static final int EAGAIN = 11;
  /** Cannot allocate memory: also a memlock limit too low for a new map. */
  public static final int ENOMEM = 12;
  /** Permission denied (a pin's file permissions, for one). */
  public static final int EACCES = 13;
  /** Bad address. */
  public static final int EFAULT = 14;
  /** Device or resource busy. */
  public static final int EBUSY = 16;
  /** File exists: a key already present under {@link UpdateFlag#NOEXIST}, or a taken pin. */
  public static final int EEXIST = 17;
  /** No such device. */
  public static final int ENODEV = 19;
  /** Not a directory. */
  public static final int ENOTDIR = 20;
  /** Invalid argument: bad sizes or flags, or a command the kernel does not know. */
  public static final int EINVAL = 22;
  /** Too many open files in the system. */
  public static final int ENFILE = 23;
  /** Too many open files in this process. */
  public static final int EMFILE = 24;
  /** No space left on device: a batch buffer smaller than one hash bucket. */
  public static final int ENOSPC = 28;
  /** Numerical result out of range. */
  public static final int ERANGE = 34;
  /** File name too long. */
  public static final int ENAMETOOLONG = 36;
  /** Function not implemented: a kernel without the bpf syscall. */
  public static final int ENOSYS = 38;
  /** Too many levels of symbolic links. */
  public static final int ELOOP = 40;
  /** Value too large for defined data type. */
  public static final int EOVERFLOW = 75;
  /** Operation not supported. */
  public static final int EOPNOTSUPP = 95;
  /** Operation not supported by this map: a kernel-internal code (524) bpf returns. */
  public static final int ENOTSUPP = 524;

  private static final Map<Integer, String[]> NAMES = Map.ofEntries(
      Map.entry(EPERM, new String[] {"EPERM", "Operation not permitted"}),
      Map.entry(ENOENT, new String[] {"ENOENT", "No such file or directory"}),
      Map.entry(3, new String[] {"ESRCH", "No such process"}),
      Map.entry(EINTR, new String[] {"EINTR", "Interrupted system call"}),
      Map.entry(5, new String[] {"EIO", "Input/output error"}),
      Map.entry(6, new String[] {"ENXIO", "No such device or address"}),
      Map.entry(E2BIG, new String[] {"E2BIG", "Argument list too long"}),
      Map.entry(EBADF, new String[] {"EBADF", "Bad file descriptor"}),
      Map.entry(EAGAIN, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
      Map.entry(ENOMEM, new String[] {"ENOMEM", "Cannot allocate memory"}),
      Map.entry(EACCES, new String[] {"EACCES", "Permission denied"}),
      Map.entry(EFAULT, new String[] {"EFAULT", "Bad address"}),
      Map.entry(EBUSY, new String[] {"EBUSY", "Device or resource busy"}),
      Map.entry(EEXIST, new String[] {"EEXIST", "File exists"}),
      Map.entry(18, new String[] {"EXDEV", "Invalid cross-device link"}),
      Map.entry(ENODEV, new String[] {"ENODEV", "No such device"}),
      Map.entry(ENOTDIR, new String[] {"ENOTDIR", "Not a directory"}),
      Map.entry(21, new String[] {"EISDIR", "Is a directory"}),
      Map.entry(EINVAL, new String[] {"EINVAL", "Invalid argument"}),
      Map.entry(ENFILE, new String[] {"ENFILE", "Too many open files in system"}),
      Map.entry(EMFILE, new String[] {"EMFILE", "Too many open files"}),
      Map.entry(27, new String[] {"EFBIG", "File too large"}),
      Map.entry(ENOSPC, new String[] {"ENOSPC", "No space left on device"}),
      Map.entry(30, new String[] {"EROFS", "Read-only file system"}),
      Map.entry(ERANGE, new String[] {"ERANGE", "Numerical result out of range"}),
      Map.entry(ENAMETOOLONG, new String[] {"ENAMETOOLONG", "File name too long"}),
      Map.entry(ENOSYS, new String[] {"ENOSYS", "Function not implemented"}),
      Map.entry(ELOOP, new String[] {"ELOOP", "Too many levels of symbolic links"}),
      Map.entry(EOVERFLOW, new String[] {"EOVERFLOW", "Value too large for defined data type"}),
      Map.entry(EOPNOTSUPP, new String[] {"EOPNOTSUPP", "Operation not supported"}),
      Map.entry(ENOTSUPP, new String[] {"ENOTSUPP", "Operation not supported by this map"}));

  private Errno() {}

  /**
   * {@return the symbolic name ({@code ENOENT}), or {@code errno N} for a number this table lacks}
   * @param errno a positive errno number
   */
  public static String name(int errno) {
    String[] entry = NAMES.get(errno);
    return entry == null ? "errno " + errno : entry[0];
  }

  /**
   * {@return the C library's description ({@code No such file or directory}), or
   * {@code unknown error} for a number this table lacks}
   * @param errno a positive errno number
   */
  public static String description(int errno) {
    String[] entry = NAMES.get(errno);
    return entry == null ? "unknown error" : entry[1];
  }
}
