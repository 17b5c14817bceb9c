package io.bpfmap.core.mask;

/** What a consumer may do with a field: read and write it, only read it, or not see it at all. */
public enum Permission {
  /** Read and write. */
  W,
  /** Read only. */
  R,
  /** Hidden: read as null, never read out of memory, never written. */
  X;

  /** {@return true for {@code R} and {@code W}} */
  public boolean readable() {
    return this != X;
  }

  /** {@return true for {@code W} only} */
  public boolean writable() {
    return this == W;
  }
}
