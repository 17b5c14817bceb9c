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
    Options opts = new OptionsBuilder()
        .include(benchmarks.getName() + "\\.")
        .addProfiler(GCProfiler.class)
        .forks(1)
        .warmupIterations(3).warmupTime(TimeValue.seconds(1))
        .measurementIterations(5).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
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
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      byName.put(name, new double[] {r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore()});
    }
    byName.keySet().stream().filter(n -> !n.endsWith("Reference")).sorted().forEach(n -> {
      double[] ours = byName.get(n);
      double[] ref = byName.get(n + "Reference");
      System.out.printf(java.util.Locale.ROOT, "BENCH %s.%s ns_op=%.1f b_op=%.0f ref_ns_op=%.1f ref_b_op=%.0f ratio=%.2f%n",
          prefix, n, ours[0], ours[1], ref[0], ref[1], ours[0] / ref[0]);
    });
  }
}
