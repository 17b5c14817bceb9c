package io.bpfmap.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * BPF programs in C (test resources under {@code bpf/}) compiled at test time with clang
 * {@code -g -target bpf}, so their maps carry the BTF the compiler emits here. clang-16 is taken
 * when installed (it emits ENUM64 and enum signedness), else clang. Without clang the test is
 * skipped, or fails when {@code BPFMAP_REQUIRE_KERNEL=1}. Also runs bpftool, the reference the
 * BTF tests compare with.
 */
public final class BpfPrograms {
  private static final Path OUT = Path.of("target", "bpf");

  private BpfPrograms() {}

  /** The object file of {@code bpf/NAME.bpf.c}, compiled now into {@code target/bpf}. */
  public static synchronized Path compile(String name) {
    String clang = tool("clang-16", "clang");
    try {
      Files.createDirectories(OUT);
      Path src = OUT.resolve(name + ".bpf.c");
      try (InputStream in = BpfPrograms.class.getResourceAsStream("/bpf/" + name + ".bpf.c")) {
        if (in == null) {
          throw new IllegalArgumentException("no test program bpf/" + name + ".bpf.c");
        }
        Files.write(src, in.readAllBytes());
      }
      Path obj = OUT.resolve(name + ".bpf.o");
      String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch64" : "x86_64";
      run(List.of(clang, "-O2", "-g", "-target", "bpf", "-I/usr/include/" + arch + "-linux-gnu", "-c",
          src.toString(), "-o", obj.toString()));
      return obj;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The kernel reports a perf ring's loss in the ring itself once there is room again, that is with
   * the next sample on the same CPU. A test run writes on the CPU its thread runs on, so this writes
   * one sample at a time from new threads (each lands on some CPU) until every sample written is
   * either read or reported lost: {@code accounted} is read plus lost, {@code written} the samples
   * written before. Returns how many samples it wrote.
   */
  public static int untilEveryLossReported(io.bpfmap.core.BpfProgram emit, java.util.function.LongSupplier accounted,
      long written) {
    int n = 0;
    while (accounted.getAsLong() < written + n && n < 400) {
      java.util.concurrent.CompletableFuture.runAsync(() -> emit.testRun(new byte[64], 1),
          r -> Thread.ofPlatform().start(r)).join();
      n++;
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return n;
  }

  /** Runs bpftool with these arguments; its standard output. */
  public static String bpftool(String... args) {
    List<String> cmd = new ArrayList<>(List.of(tool("bpftool")));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  /** The first of these commands on the PATH; skips (or fails in CI) when none is. */
  public static String tool(String... names) {
    for (String n : names) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
        if (Files.isExecutable(Path.of(dir, n))) {
          return Path.of(dir, n).toString();
        }
      }
    }
    String why = String.join(" or ", names) + " is not installed (apt-get install clang-16 clang bpftool libbpf-dev)";
    if (BpfExtension.required()) {
      throw new AssertionError("BPFMAP_REQUIRE_KERNEL=1 but " + why);
    }
    throw new TestAbortedException(why);
  }

  private static String run(List<String> cmd) {
    try {
      Path err = Files.createTempFile("bpf-tool", ".err");
      try {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new AssertionError(String.join(" ", cmd) + " failed: " + Files.readString(err));
        }
        return new String(out, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
