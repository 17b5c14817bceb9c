package io.bpfmap.benchmarks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs benchmarks by name and prints one {@code BENCH <name> key=value … ratio=<ours/reference>}
 * line per result. {@code benchmarks/run [NAME…]} builds everything and calls this; without names
 * it runs all but the long ones ({@code soak}, 10 minutes; {@code fuzz}), which run only when named.
 */
public final class Bench {
  private static final Map<String, Runnable> ALL = new LinkedHashMap<>();
  /** Long runs: only when named ({@code benchmarks/run soak}). */
  private static final Map<String, Runnable> ONLY_BY_NAME = new LinkedHashMap<>();

  static {
    ALL.put("read", ReadBench::run);
    ALL.put("record", () -> {
      Jmh.run(RecordBench.class, "record.decode");
      BtfRecordBench.run();
    });
    ALL.put("stream", StreamBench::run);
    ALL.put("ring", RingBench::run);
    ALL.put("kafka", KafkaBench::run);
    ALL.put("metrics", MetricsBench::run);
    ALL.put("cli", CliBench::run);
    ALL.put("fleet", FleetBench::run);
    ONLY_BY_NAME.put("soak", SoakBench::run);
    ONLY_BY_NAME.put("fuzz", FuzzBench::run);
  }

  private Bench() {}

  public static void main(String[] args) {
    List<String> names = args.length == 0 ? List.copyOf(ALL.keySet()) : List.of(args);
    for (String name : names) {
      Runnable r = ALL.getOrDefault(name, ONLY_BY_NAME.get(name));
      if (r == null) {
        System.err.println("unknown benchmark '" + name + "'; known: " + ALL.keySet() + " and " + ONLY_BY_NAME.keySet());
        System.exit(2);
      }
      r.run();
    }
  }

  /**
   * Prints a result line: {@code BENCH name ours=median (min-max) ref=median (min-max) …
   * ratio_spread=lo-hi ratio=ours/reference}, each figure the median of its rounds with their
   * spread; {@code ratio_spread} pairs the extremes (min ours / max ref, max ours / min ref).
   */
  static void report(String name, String oursKey, List<Double> ours, String refKey, List<Double> ref, String... extra) {
    double o = ReadBench.median(ours);
    double r = ReadBench.median(ref);
    print(name, oursKey, ours, refKey, ref, extra, Collections.min(ours) / Collections.max(ref),
        Collections.max(ours) / Collections.min(ref), o / r);
  }

  /**
   * As {@link #report}, for rounds measured in pairs, each of ours right after its reference:
   * {@code ratio} is the median of the pairs' ratios and {@code ratio_spread} their min–max, so
   * that the machine's drift between rounds hits both sides of a ratio alike.
   */
  static void reportPaired(String name, String oursKey, List<Double> ours, String refKey, List<Double> ref,
      String... extra) {
    if (ours.size() != ref.size()) {
      throw new IllegalArgumentException(name + ": " + ours.size() + " rounds against " + ref.size() + " references");
    }
    List<Double> ratios = new java.util.ArrayList<>();
    for (int i = 0; i < ours.size(); i++) {
      ratios.add(ours.get(i) / ref.get(i));
    }
    print(name, oursKey, ours, refKey, ref, extra, Collections.min(ratios), Collections.max(ratios),
        ReadBench.median(ratios));
  }

  private static void print(String name, String oursKey, List<Double> ours, String refKey, List<Double> ref,
      String[] extra, double lo, double hi, double ratio) {
    StringBuilder sb = new StringBuilder("BENCH ").append(name);
    sb.append(' ').append(oursKey).append('=').append(range(ours));
    sb.append(' ').append(refKey).append('=').append(range(ref));
    for (String e : extra) {
      sb.append(' ').append(e);
    }
    sb.append(" rounds=").append(ours.size()).append(" ratio_spread=").append(figure(lo)).append('-')
        .append(figure(hi)).append(" ratio=").append(figure(ratio));
    System.out.println(sb);
  }

  /**
   * A ratio to three significant digits ({@code 0.126}, {@code 1.42}): two decimals would move a
   * ratio near 0.1 by 8 % a step, more than half of the ±15 % its runs may differ by.
   */
  static String figure(double ratio) {
    return new java.math.BigDecimal(ratio).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** {@code min-max} of a benchmark's ratios, each as {@link #figure}. */
  static String spread(List<Double> ratios) {
    return figure(Collections.min(ratios)) + "-" + figure(Collections.max(ratios));
  }

  /** {@code median (min-max)}. */
  static String range(List<Double> values) {
    return sci(ReadBench.median(values)) + " (" + sci(Collections.min(values)) + '-' + sci(Collections.max(values))
        + ')';
  }

  /** {@return the bytes this JVM's threads allocated so far} */
  static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
        .getTotalThreadAllocatedBytes();
  }

  /** {@return the CPU time this process used so far, in nanoseconds: every thread, kernel time included} */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** {@code 3.02e6}, as SPEC §10 writes figures. */
  static String sci(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.2e", v);
    int e = s.indexOf('e');
    return s.substring(0, e + 1) + Integer.parseInt(s.substring(e + 1).replace("+", ""));
  }
}
