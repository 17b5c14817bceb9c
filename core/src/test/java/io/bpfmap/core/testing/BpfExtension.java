package io.bpfmap.core.testing;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.Bpffs;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Runs a test class against the real kernel: mounts bpffs when it is missing, gives each test its
 * own {@link PinDir} and removes it afterwards, and fails the class when it leaves BPF file
 * descriptors open. Where bpf is unavailable the class is skipped with the reason, or fails
 * instead when {@code BPFMAP_REQUIRE_KERNEL=1} (as in CI).
 */
public final class BpfExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback, ParameterResolver {
  private static final Path ROOT = Bpffs.DEFAULT.resolve("bpfmap-test-" + ProcessHandle.current().pid());
  private static final AtomicInteger NEXT_DIR = new AtomicInteger();
  private static volatile String unavailable;
  private static volatile boolean probed;

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BpfExtension.class);

  /** True when {@code BPFMAP_REQUIRE_KERNEL=1}: a missing kernel feature fails instead of skipping. */
  public static boolean required() {
    return "1".equals(System.getenv("BPFMAP_REQUIRE_KERNEL"));
  }

  /** Null when bpf works here; otherwise the reason it does not. */
  public static synchronized String unavailableReason() {
    if (!probed) {
      unavailable = probe();
      probed = true;
    }
    return unavailable;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String reason = unavailableReason();
    if (reason != null) {
      if (required()) {
        throw new AssertionError("BPFMAP_REQUIRE_KERNEL=1 but bpf is unavailable: " + reason);
      }
      throw new TestAbortedException("bpf is unavailable: " + reason);
    }
    context.getStore(NS).put("fds", bpfFds());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    @SuppressWarnings("unchecked")
    List<String> before = context.getStore(NS).get("fds", List.class);
    if (before == null) {
      return;
    }
    List<String> leaked = leakedFds(before);
    if (!leaked.isEmpty()) {
      throw new AssertionError(context.getRequiredTestClass().getSimpleName() + " leaked "
          + leaked.size() + " BPF file descriptor(s): " + leaked);
    }
  }

  /** BPF fds opened since {@code before} and still open; waits briefly for closes in flight. */
  static List<String> leakedFds(List<String> before) {
    List<String> leaked = List.of();
    for (int i = 0; i < 20; i++) {
      List<String> now = new ArrayList<>(bpfFds());
      now.removeAll(before);
      leaked = now;
      if (leaked.isEmpty()) {
        break;
      }
      sleep(25);
    }
    return leaked;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    Path dir = ROOT.resolve(context.getRequiredTestMethod().getName() + "-" + NEXT_DIR.incrementAndGet());
    Files.createDirectories(dir);
    context.getStore(NS).put("dir", new PinDir(dir));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    PinDir dir = context.getStore(NS).remove("dir", PinDir.class);
    if (dir != null) {
      deleteTree(dir.path());
      try {
        Files.deleteIfExists(ROOT);
      } catch (IOException stillUsed) {
        // another test of this JVM still has its directory there
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == PinDir.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getStore(NS).get("dir", PinDir.class);
  }

  /** Open fds of this process that are BPF objects, as "fd:kind" (e.g. {@code 17:bpf-map}). */
  public static List<String> bpfFds() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("anon_inode:bpf")) {
            out.add(fd.getFileName() + ":" + link.substring("anon_inode:".length()));
          }
        } catch (IOException gone) {
          // closed while listing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static String probe() {
    if (!Bpffs.isMounted(Bpffs.DEFAULT)) {
      String mounted = mount();
      if (mounted != null) {
        return mounted;
      }
    }
    try (BpfMap probe = BpfMap.create(MapSpec.of(MapType.HASH, "bpfmap_probe", 4, 4, 1))) {
      return probe.info().id() > 0 ? null : "the kernel returned no map id";
    } catch (BpfException e) {
      return e.getMessage();
    }
  }

  private static String mount() {
    try {
      Files.createDirectories(Bpffs.DEFAULT);
      Process p = new ProcessBuilder("mount", "-t", "bpf", "bpf", Bpffs.DEFAULT.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "bpffs is not mounted at " + Bpffs.DEFAULT + " and mounting it failed: " + out;
      }
      return null;
    } catch (IOException e) {
      return "bpffs is not mounted at " + Bpffs.DEFAULT + " and mounting it failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while mounting bpffs";
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
