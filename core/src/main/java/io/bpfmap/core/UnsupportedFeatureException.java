package io.bpfmap.core;

/** The running kernel or this map type lacks a feature; says from which kernel it exists. */
public final class UnsupportedFeatureException extends BpfException {
  private static final long serialVersionUID = 1L;

  private final String minKernel;

  public UnsupportedFeatureException(String operation, String target, int errno, String feature,
      String minKernel) {
    super(operation, target, errno, feature + " is not supported here"
        + (minKernel.isEmpty() ? "" : " (needs Linux " + minKernel + " or newer)"));
    this.minKernel = minKernel;
  }

  /** The first kernel version with the feature, e.g. {@code 5.6}; empty when it depends on the map type. */
  public String minKernel() {
    return minKernel;
  }
}
