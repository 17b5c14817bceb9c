package io.bpfmap.benchmarks;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a JMH class with the GC profiler ({@code -prof gc}) and reports each {@code x} benchmark
 * against its {@code xReference} as a BENCH line with ns/op and bytes allocated per op.
 *
 * <p>Each pair (and each value of the class's one {@code @Param}) runs {@link #ROUNDS} rounds of
 * one fork of each, back to back, their order swapped each round; the ratio is the median of the
 * rounds' ratios. Run one after the other, all of ours then all of the references, a pair was
 * minutes apart and the machine's drift moved ratios by up to 0.3 between runs; and one fork's
 * JIT decisions moved a figure by 1.7×, which a median of forks outvotes. Pairs whose two sides
 * run the same code on other data are {@link Paired}'s.
 */
final class Jmh {
  private static final int ROUNDS = 4;

  private Jmh() {}

  /**
   * Runs and reports; the ratio is our time over the reference's. Each side's figure is the
   * median of its rounds with their min–max, and system properties {@code bpfmap.bench.*} reach
   * the fork.
   */
  static void run(Class<?> benchmarks, String prefix) {
    Field param = Arrays.stream(benchmarks.getFields()).filter(f -> f.isAnnotationPresent(Param.class)).findFirst()
        .orElse(null);
    List<String> values = param == null ? List.of("") : List.of(param.getAnnotation(Param.class).value());
    List<String> methods = Arrays.stream(benchmarks.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class))
        .map(Method::getName).filter(n -> !n.endsWith("Reference")).sorted().toList();
    for (String method : methods) {
      for (String value : values) {
        RunResult[] last = new RunResult[2];
        pair(prefix + "." + method + (value.isEmpty() ? "" : "." + value), ROUNDS, false, () -> {
          last[0] = fork(benchmarks, method, param, value);
          return last[0].getPrimaryResult().getScore();
        }, () -> {
          last[1] = fork(benchmarks, method + "Reference", param, value);
          return last[1].getPrimaryResult().getScore();
        }, () -> allocated(last[0]), () -> allocated(last[1]));
      }
    }
  }

  /**
   * Runs {@code rounds} rounds of both sides back to back, the order swapped each round, then
   * prints {@code BENCH name ns_op=median (min-max) b_op=… ref_ns_op=… ref_b_op=… rounds=…
   * ratio_spread=… ratio=…}: the median of the rounds' ratios, ours over the reference's or, with
   * {@code speed}, the reference's over ours (1.0: as fast, above: faster).
   *
   * @param ours one round of ours: ns per operation
   * @param ref one round of the reference: ns per operation
   * @param oursBytes bytes per operation of ours, asked once after the rounds
   * @param refBytes bytes per operation of the reference, asked once after the rounds
   */
  static void pair(String name, int rounds, boolean speed, DoubleSupplier ours, DoubleSupplier ref,
      DoubleSupplier oursBytes, DoubleSupplier refBytes) {
    List<Double> o = new ArrayList<>();
    List<Double> r = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        o.add(ours.getAsDouble());
        r.add(ref.getAsDouble());
      } else {
        r.add(ref.getAsDouble());
        o.add(ours.getAsDouble());
      }
      ratios.add(speed ? r.getLast() / o.getLast() : o.getLast() / r.getLast());
    }
    System.out.printf(java.util.Locale.ROOT, "BENCH %s ns_op=%.1f (%.1f-%.1f) b_op=%.0f ref_ns_op=%.1f (%.1f-%.1f) "
        + "ref_b_op=%.0f rounds=%d ratio_spread=%s ratio=%s%n", name, ReadBench.median(o),
        Collections.min(o), Collections.max(o), oursBytes.getAsDouble(), ReadBench.median(r), Collections.min(r),
        Collections.max(r), refBytes.getAsDouble(), rounds, Bench.spread(ratios), Bench.figure(ReadBench.median(ratios)));
  }

  /** One fork of one benchmark (at one value of its parameter): 2 warm-up and 3 measured seconds. */
  private static RunResult fork(Class<?> benchmarks, String method, Field param, String value) {
    String[] props = System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bpfmap.bench."))
        .map(k -> "-D" + k + "=" + System.getProperty(k)).toArray(String[]::new);
    ChainedOptionsBuilder opts = new OptionsBuilder()
        .include("^" + benchmarks.getName().replace(".", "\\.") + "\\." + method + "$")
        .addProfiler(GCProfiler.class)
        .forks(1)
        .warmupIterations(2).warmupTime(TimeValue.seconds(1))
        .measurementIterations(3).measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
        .jvmArgsAppend(props);
    if (param != null) {
      opts.param(param.getName(), value);
    }
    try {
      return new Runner(opts.build()).run().iterator().next();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed on " + method + ": " + e.getMessage(), e);
    }
  }

  private static double allocated(RunResult run) {
    Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
    return alloc == null ? Double.NaN : alloc.getScore();
  }
}
