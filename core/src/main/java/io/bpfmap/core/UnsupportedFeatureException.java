package io.bpfmap.core;

/** The running kernel or this map type lacks a feature; says from which kernel it exists. */
public final class UnsupportedFeatureException extends BpfException {
  private static final long serialVersionUID = 1L;

  /** The first kernel with the feature, or empty. */
  private final String minKernel;

  /**
   * A missing {@code feature}; the message says {@code FEATURE is not supported here}, and the
   * kernel that has it when {@code minKernel} is known.
   * @param operation what failed
   * @param target the map, or empty
   * @param errno EINVAL, EOPNOTSUPP or ENOTSUPP from the kernel, or 0 when found beforehand
   * @param feature what is missing, as a phrase: {@code batch lookup on devmap_hash maps}
   * @param minKernel the first Linux version with it ({@code 5.6}), or empty when none applies
   */
  public UnsupportedFeatureException(String operation, String target, int errno, String feature,
      String minKernel) {
    super(operation, target, errno, feature + " is not supported here"
        + (minKernel.isEmpty() ? "" : " (needs Linux " + minKernel + " or newer)"));
    this.minKernel = minKernel;
  }

  /** {@return the first kernel with the feature, e.g. {@code 5.6}; empty when none would do} */
  public String minKernel() {
    return minKernel;
  }
}
