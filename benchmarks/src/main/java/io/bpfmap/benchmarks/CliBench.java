package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.record.RecordLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line against bpftool: {@code info}, {@code lookup} and {@code dump} of a 1 000-entry
 * hash map with BTF (the {@code btf_flows} map of {@code examples/flows.bpf.c}), each a whole
 * process, timed wall-clock from start to exit with its output read. {@code bin/bpfmap} runs as a
 * user runs it, with the AOT cache it trains once (in a cache directory of this run, waited for
 * before timing). Rounds alternate bpfmap and bpftool; medians, with min–max; the ratio is the
 * median of the rounds' ratios (each bpfmap run over the bpftool run right after it).
 */
final class CliBench {
  static final int ENTRIES = 1000;
  static final int ROUNDS = 21;
  /** The goal of a one-shot command on a 2-core machine. */
  static final double GOAL_MS = 250;

  private CliBench() {}

  static void run() {
    Path dir = Path.of("/sys/fs/bpf/bpfmap-bench-cli-" + ProcessHandle.current().pid());
    Path cache = Path.of("benchmarks/build/cli-cache").toAbsolutePath();
    try (BpfObject obj = BpfObject.open(Path.of(System.getProperty(BtfRecordBench.OBJECT)))) {
      obj.pinMaps(dir);
      Path pin = dir.resolve("btf_flows");
      BpfMap map = obj.map("btf_flows");
      RecordLayout key = map.btf().orElseThrow().keyLayout().orElseThrow();
      RecordLayout value = map.btf().orElseThrow().valueLayout().orElseThrow();
      byte[] firstKey = null;
      for (int i = 0; i < ENTRIES; i++) {
        byte[] k = key.pack(Map.of("saddr", i + 1, "daddr", 16777226, "sport", 40000 + i, "dport", 443, "proto", 6));
        map.update(k, value.pack(Map.of("packets", i, "bytes", 1500L * i, "verdict", "PASS", "comm", "curl",
            "secret", 42)));
        firstKey = firstKey == null ? k : firstKey;
      }
      String jsonKey = "{\"saddr\":1,\"daddr\":16777226,\"sport\":40000,\"dport\":443,\"proto\":6}";
      List<String> hexKey = new ArrayList<>();
      for (byte b : firstKey) {
        hexKey.add(HexFormat.of().toHexDigits(b));
      }
      deleteTree(cache);
      Files.createDirectories(cache);
      String bpfmap = Path.of("bin/bpfmap").toAbsolutePath().toString();
      time(cache, List.of(bpfmap, "maps")); // the first one-shot command starts the AOT training
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while ((Files.exists(cache.resolve("training")) || aot(cache) == 0) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      if (aot(cache) == 0) {
        throw new IllegalStateException("the launcher made no AOT cache in " + cache);
      }
      List<String> bpftoolKey = new ArrayList<>(List.of("bpftool", "-j", "map", "lookup", "pinned", pin.toString(), "key",
          "hex"));
      bpftoolKey.addAll(hexKey);
      compare(cache, "cli.info", List.of(bpfmap, "info", pin.toString()),
          List.of("bpftool", "-j", "map", "show", "pinned", pin.toString()));
      compare(cache, "cli.lookup", List.of(bpfmap, "lookup", pin.toString(), "--key", jsonKey), bpftoolKey);
      compare(cache, "cli.dump.1000", List.of(bpfmap, "dump", pin.toString()),
          List.of("bpftool", "-j", "map", "dump", "pinned", pin.toString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteTree(dir);
    }
  }

  private static void compare(Path cache, String name, List<String> ours, List<String> bpftool)
      throws IOException, InterruptedException {
    time(cache, ours);
    time(cache, bpftool);
    List<Double> o = new ArrayList<>();
    List<Double> r = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      o.add(time(cache, ours));
      r.add(time(cache, bpftool));
      ratios.add(o.getLast() / r.getLast());
    }
    Collections.sort(o);
    Collections.sort(r);
    System.out.printf(Locale.ROOT, "BENCH %s ms=%.1f (%.1f-%.1f) bpftool_ms=%.1f (%.1f-%.1f) goal_ms=%.0f rounds=%d "
        + "ratio_spread=%s ratio=%s%n", name, o.get(ROUNDS / 2), o.getFirst(), o.getLast(), r.get(ROUNDS / 2),
        r.getFirst(), r.getLast(), GOAL_MS, ROUNDS, Bench.spread(ratios), Bench.figure(ReadBench.median(ratios)));
  }

  /** Milliseconds from start to exit; fails on a non-zero exit. */
  private static double time(Path cache, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("BPFMAP_CACHE_DIR", cache.toString());
    long t0 = System.nanoTime();
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (exit != 0 || out.length == 0) {
      throw new IllegalStateException(command + " exited " + exit + " with " + out.length + " bytes out");
    }
    return ms;
  }

  private static long aot(Path cache) throws IOException {
    try (var files = Files.list(cache)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".aot")).count();
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException gone) {
      // nothing there
    }
  }
}
