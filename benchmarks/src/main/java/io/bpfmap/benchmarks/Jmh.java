package io.bpfmap.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a JMH class with the GC profiler ({@code -prof gc}) and reports each {@code x} benchmark
 * against its {@code xReference} as a BENCH line with ns/op and bytes allocated per op.
 */
final class Jmh {
  private Jmh() {}

  static void run(Class<?> benchmarks, String prefix) {
    run(benchmarks, prefix, false);
  }

  /**
   * Runs and reports, in two forks each (one fork's JIT decisions moved a figure by 1.7×: two show
   * it in the spread); with {@code speed} the ratio is the reference's time over ours (1.0: as
   * fast, above: faster), else ours over the reference's. Each side's spread is the min–max of
   * its measured iterations, and system properties {@code bpfmap.bench.*} reach the fork.
   */
  static void run(Class<?> benchmarks, String prefix, boolean speed) {
    String[] props = System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bpfmap.bench."))
        .map(k -> "-D" + k + "=" + System.getProperty(k)).toArray(String[]::new);
    Options opts = new OptionsBuilder()
        .include(benchmarks.getName() + "\\.")
        .addProfiler(GCProfiler.class)
        .forks(2)
        .warmupIterations(speed ? 5 : 3).warmupTime(TimeValue.seconds(1))
        .measurementIterations(speed ? 8 : 5).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
        .jvmArgsAppend(props)
        .build();
    Collection<RunResult> results;
    try {
      results = new Runner(opts).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
    }
    Map<String, double[]> byName = new HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String name = label.substring(label.lastIndexOf('.') + 1);
      String params = String.join(".", r.getParams().getParamsKeys().stream().map(r.getParams()::getParam).toList());
      name = params.isEmpty() ? name : name.endsWith("Reference")
          ? name.substring(0, name.length() - 9) + "." + params + "Reference" : name + "." + params;
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      var stats = r.getPrimaryResult().getStatistics();
      byName.put(name, new double[] {r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore(),
          stats.getMin(), stats.getMax()});
    }
    byName.keySet().stream().filter(n -> !n.endsWith("Reference")).sorted().forEach(n -> {
      double[] ours = byName.get(n);
      double[] ref = byName.get(n + "Reference");
      double ratio = speed ? ref[0] / ours[0] : ours[0] / ref[0];
      double low = speed ? ref[2] / ours[3] : ours[2] / ref[3];
      double high = speed ? ref[3] / ours[2] : ours[3] / ref[2];
      System.out.printf(java.util.Locale.ROOT, "BENCH %s.%s ns_op=%.1f (%.1f-%.1f) b_op=%.0f ref_ns_op=%.1f (%.1f-%.1f) "
          + "ref_b_op=%.0f ratio_spread=%.2f-%.2f ratio=%.2f%n", prefix, n, ours[0], ours[2], ours[3], ours[1], ref[0],
          ref[2], ref[3], ref[1], low, high, ratio);
    });
  }
}
