package io.bpfmap.core;

/** {@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}: whether an update may create or replace. */
public enum UpdateFlag {
  /** Create or replace. */
  ANY(0),
  /** Create only; EEXIST when the key is present. */
  NOEXIST(1),
  /** Replace only; ENOENT when the key is absent. */
  EXIST(2);

  private final long bits;

  UpdateFlag(long bits) {
    this.bits = bits;
  }

  /** {@return the {@code flags} argument of {@code bpf_map_update_elem}: 0, 1 or 2} */
  public long bits() {
    return bits;
  }
}
