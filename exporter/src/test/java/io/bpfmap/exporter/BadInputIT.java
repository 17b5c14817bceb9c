package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input: one line naming what and where, exit code 2, no stack trace. */
@KernelTest
class BadInputIT {
  private static void fails(Cli.Result r, String message) {
    assertThat(r.err()).isEqualTo(message);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
  }

  private static String hashMap(PinDir dir, String name) throws Exception {
    String pin = dir.resolve(name).toString();
    assertThat(Cli.run("create", "--type", "hash", "--name", name, "--key-size", "16", "--value-size", "64",
        "--max-entries", "16", "--pin", pin).exit()).isZero();
    return pin;
  }

  @Test
  void missingPin(PinDir dir) throws Exception {
    Path pin = dir.resolve("nothing");
    fails(Cli.run("info", pin.toString()),
        "bpfmap: open pin " + pin + ": ENOENT (No such file or directory): nothing is pinned there");
  }

  @Test
  void notAMap(PinDir dir) throws Throwable {
    Path pin = dir.resolve("prog");
    TestPrograms.pinSocketFilter(pin);
    fails(Cli.run("info", pin.toString()), "bpfmap: open pin " + pin + ": it holds a BPF prog, not a map");
  }

  @Test
  void layoutSizeMismatch(PinDir dir) throws Exception {
    String pin = hashMap(dir, "sizes");
    fails(Cli.run("dump", pin, "--key-layout", "=QI"),
        "bpfmap: --key-layout: the layout is 12 bytes, map 'sizes' has 16-byte keys");
  }

  @Test
  void aConfigLayoutThatDoesNotFitItsMapNamesItsYamlPath(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = hashMap(dir, "fit");
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: flows, pin: %s, key: "=Q", value: "=8Q"}
        sinks: {stdout: true}
        """.formatted(pin));
    fails(Cli.run("export", "--config", cfg.toString()),
        "bpfmap: maps[0].key: parse on map 'fit': the key layout is 8 bytes, the map's keys are 16 bytes");
    Path noKey = Files.writeString(tmp.resolve("nokey.yaml"), """
        maps:
          - {name: flows, pin: %s, value: "=8Q"}
        sinks: {stdout: true}
        """.formatted(pin));
    fails(Cli.run("export", "--config", noKey.toString()),
        "bpfmap: maps[0].key: parse on map 'fit': the map has no BTF for its keys: give a key layout");
  }

  @Test
  void badLayoutLetter(PinDir dir) throws Exception {
    String pin = hashMap(dir, "letter");
    fails(Cli.run("dump", pin, "--value-layout", "[[\"nested\", [[\"level2_1\", \"Z\"]]]]"),
        "bpfmap: --value-layout: nested.level2_1: unknown format 'Z'");
  }

  @Test
  void badMaskLetter(PinDir dir) throws Exception {
    String pin = hashMap(dir, "mask");
    fails(Cli.run("dump", pin, "--value-layout", "=8Q", "--mask", "{\"f2\": \"Q\"}"),
        "bpfmap: --mask: f2: bad permission 'Q' (R, W or X)");
  }

  @Test
  void unknownConfigKey(@TempDir Path tmp) throws Exception {
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - name: flows
            pin: /sys/fs/bpf/flows
            key: "=QQ"
            value: "=8Q"
            colour: blue
        """);
    fails(Cli.run("export", "--config", cfg.toString()), "bpfmap: " + cfg + ": maps[0].colour: unknown key (expected one of "
        + "[batch-size, histograms, id, interval, kernel-name, key, labels, mask, max-series, metrics, mode, name, per-cpu, pin, trust-layout, value])");
  }

  @Test
  void unreachableKafkaAtStart(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = hashMap(dir, "kafka");
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: flows, pin: %s, key: "=QQ", value: "=8Q"}
        sinks:
          kafka: {bootstrap-servers: "127.0.0.1:1", connect-timeout: 2s}
        """.formatted(pin));
    long t0 = System.nanoTime();
    fails(Cli.run("export", "--config", cfg.toString()), "bpfmap: kafka at 127.0.0.1:1 is not reachable within 2s");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(60);
  }

  @Test
  void portAlreadyInUse(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = hashMap(dir, "port");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: flows, pin: %s, key: "=QQ", value: "=8Q"}
          sinks:
            prometheus: {listen: "127.0.0.1:%d"}
          """.formatted(pin, taken.getLocalPort()));
      fails(Cli.run("export", "--config", cfg.toString()),
          "bpfmap: listen 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
    }
  }

  @Test
  void jdkTooOld() throws Exception {
    Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(java17.resolve("bin/java")), "no JDK 17 here");
    fails(Cli.run(Map.of("JAVA_HOME", java17.toString(), "PATH", "/usr/bin:/bin", "BPFMAP_JDK_DIRS", "/nonexistent"),
        "info", "/sys/fs/bpf/x"), "bpfmap: needs JDK 25 or newer, found Java 17 at " + java17 + " (set JAVA_HOME to a JDK 25)");
  }

  @Test
  void libbpfMissing() throws Exception {
    fails(Cli.run(Map.of("BPFMAP_JAVA_OPTS", "-Dbpfmap.libbpf=libbpf.so.99"), "info", "/sys/fs/bpf/x"),
        "bpfmap: load libbpf: libbpf.so.99 not found: install libbpf 1.x (Debian/Ubuntu: apt-get install libbpf1; "
            + "Fedora: dnf install libbpf)");
  }

  @Test
  void verboseAddsTheStackTrace(PinDir dir) throws Exception {
    var r = Cli.run("info", dir.resolve("nothing").toString(), "--verbose");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("bpfmap: open pin ").contains("\tat io.bpfmap.core");
  }
}
