package io.bpfmap.core;

/** How a pin is opened; the kernel enforces it on the file descriptor ({@code file_flags}). */
public enum OpenMode {
  /** Reads only: the kernel refuses updates and deletes through the fd (EPERM). */
  READ_ONLY(MapFlags.RDONLY),
  /** Reads and writes. */
  READ_WRITE(0);

  private final int fileFlags;

  OpenMode(int fileFlags) {
    this.fileFlags = fileFlags;
  }

  /** {@return the {@code file_flags} of {@code BPF_OBJ_GET}: {@code BPF_F_RDONLY} or 0} */
  public int fileFlags() {
    return fileFlags;
  }
}
