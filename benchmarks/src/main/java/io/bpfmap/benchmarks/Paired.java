package io.bpfmap.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Two sides of a pair timed in turn in one JVM, for pairs whose question is the data, not the
 * code: each side is a call of the same loop on its own data, so the JIT compiles one loop, with
 * one profile, for both. After {@link #WARMUP_NS} of alternating calls (the loop's length grows
 * until a call takes {@link #ROUND_NS}), {@link #ROUNDS} rounds time one call of each side, their
 * order swapped each round; the ratio is the median of the rounds' ratios. A JMH
 * {@link Blackhole} keeps every result, so the JIT can drop none.
 */
final class Paired {
  private static final long WARMUP_NS = 2_000_000_000L;
  private static final long ROUND_NS = 50_000_000L;
  private static final int ROUNDS = 32;

  private Paired() {}

  /** One side: {@code n} operations, each result given to a blackhole. */
  interface Side {
    void run(long n);
  }

  /** {@return a blackhole for loops outside JMH's own} */
  static Blackhole blackhole() {
    return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
  }

  /**
   * Times both sides and prints {@code BENCH name ns_op=… b_op=… ref_ns_op=… ref_b_op=… rounds=…
   * ratio_spread=… ratio=…}, the figures of JMH pairs ({@link Jmh}), the ratio as the reference's
   * time over ours (1.0: as fast, above: faster).
   */
  static void report(String name, Side ours, Side ref) {
    long n = 1;
    for (long end = System.nanoTime() + WARMUP_NS; System.nanoTime() < end;) {
      long took = time(ours, n);
      time(ref, n);
      if (took < ROUND_NS) {
        n *= 2;
      }
    }
    long calls = n;
    Jmh.pair(name, ROUNDS, true, () -> (double) time(ours, calls) / calls, () -> (double) time(ref, calls) / calls,
        () -> allocated(ours, calls), () -> allocated(ref, calls));
  }

  private static long time(Side side, long n) {
    long start = System.nanoTime();
    side.run(n);
    return System.nanoTime() - start;
  }

  /** Bytes this thread allocates per operation, over one more call. */
  private static double allocated(Side side, long n) {
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    side.run(n);
    return (double) (threads.getCurrentThreadAllocatedBytes() - before) / n;
  }

  /**
   * Runs {@code main}'s {@code main(arg)} in a JVM of its own, as JMH forks one: this one's java,
   * JVM options and class path, and JMH's compiler blackholes; its output is this one's. What ran
   * before in this JVM then does not shape the JIT's profiles of the pairs it runs.
   */
  static void inOwnJvm(Class<?> main, String arg) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
    command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-DcompilerBlackholesEnabled=true", "-XX:+UnlockExperimentalVMOptions",
        "-XX:CompileCommand=quiet", "-XX:CompileCommand=blackhole,org/openjdk/jmh/infra/Blackhole.consumeCompiler"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), arg));
    Process child = null;
    try {
      child = new ProcessBuilder(command).inheritIO().start();
      if (!child.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
        throw new IllegalStateException(main.getSimpleName() + " " + arg + " did not end within 10 minutes");
      }
      if (child.exitValue() != 0) {
        throw new IllegalStateException(main.getSimpleName() + " " + arg + " exited with " + child.exitValue());
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("could not start a JVM for " + main.getSimpleName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + main.getSimpleName() + " " + arg + " ran", e);
    } finally {
      if (child != null) {
        child.destroyForcibly();
      }
    }
  }
}
