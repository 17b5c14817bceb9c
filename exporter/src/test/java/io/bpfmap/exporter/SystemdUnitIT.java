package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/bpfmap.service: the daemon runs as a non-root user (nobody, standing in for the unit's
 * User=) with only the capabilities the unit lists, dropped by setpriv the way systemd would.
 */
@KernelTest
class SystemdUnitIT {
  private static final int NOBODY = 65534;

  private static Map<String, String> unit() throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Cli.HOME.resolve("packaging/bpfmap.service"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0) {
        keys.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return keys;
  }

  /** bin/ and exporter/target/ copied to a world-readable place, as /opt/bpfmap would be. */
  private static Path install(Path tmp) throws Exception {
    Path home = tmp.resolve("opt-bpfmap");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("exporter/target/lib"));
    Files.copy(Cli.HOME.resolve("bin/bpfmap"), home.resolve("bin/bpfmap"));
    Files.copy(Cli.HOME.resolve("exporter/target/bpfmap.jar"), home.resolve("exporter/target/bpfmap.jar"));
    try (Stream<Path> libs = Files.list(Cli.HOME.resolve("exporter/target/lib"))) {
      for (Path lib : libs.toList()) {
        Files.copy(lib, home.resolve("exporter/target/lib").resolve(lib.getFileName()));
      }
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) || p.endsWith("bpfmap")
            ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return home;
  }

  @Test
  void theUnitWaitsForTheDaemonsWholeStopTimeoutBeforeKillingIt() throws Exception {
    Duration stop = Config.duration(unit().get("TimeoutStopSec"), "TimeoutStopSec");
    assertThat(stop).as("TimeoutStopSec against the daemon's default stop-timeout plus 10 s for the JVM")
        .isGreaterThanOrEqualTo(Config.STOP_TIMEOUT.plusSeconds(10));
  }

  @Test
  void systemdVerifiesTheUnitScoresItAtMost3AndItDoesNotRestartOnABadConfig(@TempDir Path tmp) throws Exception {
    assertThat(unit().get("RestartPreventExitStatus")).isEqualTo(Integer.toString(Main.BAD_INPUT));
    Path unit = Files.writeString(tmp.resolve("bpfmap.service"), Files.readString(
        Cli.HOME.resolve("packaging/bpfmap.service")).replace("/opt/bpfmap/", Cli.HOME + "/"));
    String verify = run("systemd-analyze", "verify", unit.toString());
    assertThat(verify).isEqualTo("0:");
    String security = run("systemd-analyze", "security", "--offline=true", "--no-pager", unit.toString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Overall exposure level for bpfmap.service: ([0-9.]+)")
        .matcher(security);
    assertThat(m.find()).as(security).isTrue();
    assertThat(Double.parseDouble(m.group(1))).as(security).isLessThanOrEqualTo(3.0);
  }

  /** Exit code, a colon, and the output (stdout and stderr) of a command. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + ":" + out.strip();
  }

  @Test
  void theDaemonRunsAsANonRootUserWithOnlyTheListedCapabilities(PinDir dir, @TempDir Path tmp) throws Exception {
    Map<String, String> unit = unit();
    assertThat(unit.get("CapabilityBoundingSet")).isEqualTo("CAP_BPF");
    assertThat(unit.get("AmbientCapabilities")).isEqualTo("CAP_BPF");
    assertThat(unit.get("User")).isNotEqualTo("root");
    assertThat(unit.get("NoNewPrivileges")).isEqualTo("yes");
    Path home = install(tmp);
    Path pin = dir.resolve("flows");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "flows", 4, 8, 16))) {
      map.update(new byte[] {1, 0, 0, 0}, new byte[] {42, 0, 0, 0, 0, 0, 0, 0});
      map.pin(pin);
    }
    Files.setOwner(pin, pin.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: flows, pin: %s, key: "=I", value: [[packets, Q]], metrics: [{field: packets, type: counter}]}
        sinks:
          prometheus: {listen: "127.0.0.1:%d"}
        """.formatted(pin, port));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    String caps = "-all," + String.join(",", unit.get("CapabilityBoundingSet").toLowerCase().replace("cap_", "+").split(" "));
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
        "--no-new-privs", "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=" + caps, "--"));
    cmd.addAll(List.of(unit.get("ExecStart").replace("/opt/bpfmap", home.toString())
        .replace("/etc/bpfmap/bpfmap.yaml", config.toString()).split(" ")));
    Path log = tmp.resolve("daemon.log");
    Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String metrics = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!metrics.contains("bpfmap_flows_packets_total") && System.nanoTime() < deadline && daemon.isAlive()) {
        Thread.sleep(200);
        metrics = Cli.get(port, "/metrics");
      }
      assertThat(metrics).as(Files.readString(log)).contains("bpfmap_flows_packets_total{f0=\"1\"} 42.0");
      String status = Files.readString(Path.of("/proc/" + daemon.pid() + "/status"));
      assertThat(status).contains("Uid:\t" + NOBODY).contains("CapEff:\t0000008000000000");
    } finally {
      daemon.destroy();
    }
    assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).as(Files.readString(log)).isZero();
  }
}
