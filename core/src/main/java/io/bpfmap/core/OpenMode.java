package io.bpfmap.core;

/** How a pin is opened; the kernel enforces it on the file descriptor ({@code file_flags}). */
public enum OpenMode {
  READ_ONLY(MapFlags.RDONLY),
  READ_WRITE(0);

  private final int fileFlags;

  OpenMode(int fileFlags) {
    this.fileFlags = fileFlags;
  }

  /** The {@code BPF_OBJ_GET} file flags. */
  public int fileFlags() {
    return fileFlags;
  }
}
