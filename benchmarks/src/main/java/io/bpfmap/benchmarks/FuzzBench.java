package io.bpfmap.benchmarks;

import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.LayoutGen;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.Hostile;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import net.jqwik.api.Arbitrary;

/**
 * The fuzz suites' inputs (CI runs them with fixed seeds), drawn afresh: {@code BPFMAP_FUZZ_CASES}
 * cases per kind (default 20 000), each under a 10 s limit. A case fails when it throws anything
 * but bpfmap's own exception with a one-line message, or does not finish. Prints per kind
 * {@code BENCH fuzz.<kind> cases=… failures=… cases_per_s=… ratio=<failures/cases>}, and the
 * first failing inputs on stderr.
 */
final class FuzzBench {
  private FuzzBench() {}

  static void run() {
    String env = System.getenv("BPFMAP_FUZZ_CASES");
    int cases = env == null ? 20_000 : Integer.parseInt(env);
    Arbitrary<RecordLayout> layouts = LayoutGen.layouts();
    fuzz("layout_text", cases, Hostile.layoutTexts(layouts.map(RecordLayout::notation)), text -> {
      RecordLayout l = RecordLayout.parse(text);
      if (!RecordLayout.parse(l.notation()).equals(l) || l.size() > RecordLayout.MAX_SIZE) {
        throw new IllegalStateException("the notation of " + text + " does not read back");
      }
    });
    fuzz("layout_tree", cases, Hostile.trees(5), tree -> {
      if (tree instanceof List<?> list) {
        RecordLayout.of(list);
      } else {
        RecordLayout.parse(String.valueOf(tree));
      }
    });
    Iterator<RecordLayout> forValues = layouts.sampleStream().iterator();
    Random r = new Random();
    fuzz("value", cases, Hostile.trees(3), junk -> {
      RecordLayout l = forValues.next();
      Map<String, Object> value = LayoutGen.value(l, r);
      if (!l.leafPaths().isEmpty()) {
        String leaf = l.leafPaths().get(r.nextInt(l.leafPaths().size()));
        if (!leaf.contains("[") && !leaf.contains(".")) {
          value.put(leaf, junk);
        }
      }
      l.pack(value);
    });
    Iterator<RecordLayout> forMasks = layouts.sampleStream().iterator();
    fuzz("mask", cases, Hostile.trees(4), shape -> PermissionMask.of(shape).compile(forMasks.next()));
    Iterator<RecordLayout> forPaths = layouts.sampleStream().iterator();
    fuzz("path", cases, Hostile.names(), path -> forPaths.next().accessor(path));
  }

  private static <T> void fuzz(String kind, int cases, Arbitrary<T> inputs, Consumer<T> action) {
    ExecutorService one = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
    int failures = 0;
    long t0 = System.nanoTime();
    Iterator<T> it = inputs.sampleStream().iterator();
    try {
      for (int i = 0; i < cases; i++) {
        T input = it.next();
        Future<Throwable> f = one.submit(() -> Hostile.outcome(() -> action.accept(input)));
        Throwable t;
        try {
          t = f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException hang) {
          f.cancel(true);
          one.shutdownNow();
          one = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
          t = new IllegalStateException("did not finish in 10 s");
        }
        if (!Hostile.accepted(t)) {
          if (failures++ < 5) {
            System.err.println("fuzz " + kind + ": " + t + " for " + io.bpfmap.core.BpfException.show(input));
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("fuzz " + kind + " stopped: " + e, e);
    } finally {
      one.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(java.util.Locale.ROOT, "BENCH fuzz.%s cases=%d failures=%d cases_per_s=%s ratio=%.2f%n", kind,
        cases, failures, Bench.sci(cases / seconds), (double) failures / cases);
  }
}
