package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfmap check}: a config and its maps checked as the daemon would open them, nothing exported. */
@KernelTest
class CheckIT {
  @Test
  void aGoodConfigIsOkMapByMap(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = dir.resolve("good").toString();
    assertThat(Cli.run("create", "--type", "hash", "--name", "good", "--key-size", "8", "--value-size", "16",
        "--max-entries", "16", "--pin", pin).exit()).isZero();
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: flows, pin: %s, key: [[src, I], [port, H], [pad, 2x]], value: [[packets, Q], [bytes, Q]],
             mask: {packets: R}, labels: {port: unsigned}, metrics: [{field: packets, type: counter}]}
        sinks:
          prometheus: {listen: "127.0.0.1:9"}
        """.formatted(pin));
    var r = Cli.run("check", "--config", cfg.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).matches("maps\\[0\\] 'flows' \\(" + pin + "\\): ok, id \\d+, hash, key 8 B \\(config\\), "
        + "value 16 B \\(config\\)\n" + cfg + ": ok, 1 maps");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void eachBadMapIsOneLineAndTheCheckFails(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = dir.resolve("small").toString();
    assertThat(Cli.run("create", "--type", "hash", "--name", "small", "--key-size", "8", "--value-size", "16",
        "--max-entries", "16", "--pin", pin).exit()).isZero();
    Path missing = dir.resolve("missing");
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: sizes, pin: %s, key: "=Q", value: "=Q"}
          - {name: gone, pin: %s, key: "=Q", value: "=QQ"}
          - {name: fine, pin: %s, key: "=Q", value: "=QQ", metrics: [{field: f1, type: gauge}]}
        sinks:
          prometheus: {listen: "127.0.0.1:9"}
        """.formatted(pin, missing, pin));
    var r = Cli.run("check", "--config", cfg.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEqualTo("maps[2] 'fine' (" + pin + "): ok, id " + id(pin) + ", hash, key 8 B (config), "
        + "value 16 B (config)");
    assertThat(r.err().lines()).containsExactly(
        "bpfmap: maps[0].value: parse on map 'small': the value layout is 8 bytes, the map's values are 16 bytes",
        "bpfmap: maps[1] 'gone' (" + missing + "): open pin " + missing
            + ": ENOENT (No such file or directory): nothing is pinned there",
        "bpfmap: " + cfg + ": 2 of 3 maps failed the check");
  }

  @Test
  void valuesComeFromTheEnvironmentAndFiles(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = dir.resolve("env").toString();
    assertThat(Cli.run("create", "--type", "hash", "--name", "env", "--key-size", "8", "--value-size", "8",
        "--max-entries", "16", "--pin", pin).exit()).isZero();
    Path name = Files.writeString(tmp.resolve("name"), "from-file\n");
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: "${file:%s}", pin: "${FLOWS_PIN}", key: "=Q", value: "=Q"}
        sinks: {stdout: true}
        """.formatted(name));
    var r = Cli.run(java.util.Map.of("FLOWS_PIN", pin), "check", "--config", cfg.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("maps[0] 'from-file' (" + pin + "): ok, id ");
    var unset = Cli.run("check", "--config", cfg.toString());
    assertThat(unset.exit()).isEqualTo(2);
    assertThat(unset.err()).isEqualTo("bpfmap: " + cfg + ": maps[0].pin: ${FLOWS_PIN}: the environment variable "
        + "FLOWS_PIN is not set");
  }

  private static String id(String pin) throws Exception {
    String info = Cli.run("info", pin).out();
    return info.replaceFirst("^\\{\"id\":(\\d+),.*", "$1");
  }
}
