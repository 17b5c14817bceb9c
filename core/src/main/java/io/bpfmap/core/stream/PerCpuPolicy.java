package io.bpfmap.core.stream;

/** How a per-CPU map's values become events. */
public enum PerCpuPolicy {
  /** One event per key and CPU ({@link MapEvent#cpu()} says which). */
  PER_CPU,
  /** One event per key; every numeric field summed over the CPUs (wrapping at the field's width). */
  SUM,
  /** One event per key; every numeric field's smallest value over the CPUs. */
  MIN,
  /** One event per key; every numeric field's largest value over the CPUs. */
  MAX
}
