package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** create / update / lookup / dump / delete through the real launcher, with layouts and masks. */
@KernelTest
class CliIT {
  private static final String KEY = "[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]";
  private static final String VALUE = "[[\"data\",[\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\"]]]";

  @Test
  void createUpdateLookupDumpDeleteRoundTrip(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = dir.resolve("test_map").toString();
    var created = Cli.run("create", "--type", "hash", "--name", "test_perm", "--key-size", "16", "--value-size", "64",
        "--max-entries", "256", "--pin", pin);
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).matches("\\{\"id\":\\d+,\"type\":\"hash\",\"name\":\"test_perm\",\"key_size\":16,"
        + "\"value_size\":64,\"max_entries\":256,\"flags\":\\[],\"btf_id\":0}");
    assertThat(Cli.run("info", pin).out()).isEqualTo(created.out());

    var update = Cli.run("update", pin, "--key", "{\"uid\": 1000, \"gid\": 100}", "--value",
        "{\"data\": [10, 11, 12, 13, 14, 15, 16, 18446744073709551615]}", "--key-layout", KEY, "--value-layout", VALUE,
        "--flag", "noexist");
    assertThat(update.exit()).as(update.err()).isZero();
    Files.writeString(tmp.resolve("key.yaml"), "- [uid, Q]\n- [gid, Q]\n");
    var lookup = Cli.run("lookup", pin, "--key", "{uid: 1000, gid: 100}", "--key-layout", "@" + tmp.resolve("key.yaml"),
        "--value-layout", VALUE);
    assertThat(lookup.out()).isEqualTo("{\"data\":[10,11,12,13,14,15,16,18446744073709551615]}");
    var masked = Cli.run("lookup", pin, "--key", "{\"uid\": 1000, \"gid\": 100}", "--key-layout", KEY,
        "--value-layout", VALUE, "--mask", "{\"data\": [\"X\",\"X\",\"W\",\"X\",\"X\",\"X\",\"X\",\"X\"]}");
    assertThat(masked.out()).isEqualTo("{\"data\":[null,null,12,null,null,null,null,null]}");
    assertThat(Cli.run("lookup", pin, "--key", "e8030000000000006400000000000000").out())
        .startsWith("\"0a000000000000000b000000");

    Cli.run("update", pin, "--key", "{\"uid\": 1, \"gid\": 2}", "--value", "{\"data\": [1,2,3,4,5,6,7,8]}",
        "--key-layout", KEY, "--value-layout", VALUE);
    var dump = Cli.run("dump", pin, "--key-layout", KEY, "--value-layout", VALUE, "--mask", "{\"data\": \"R\"}");
    assertThat(dump.out().lines().sorted()).containsExactly(
        "{\"key\":{\"uid\":1,\"gid\":2},\"value\":{\"data\":[1,2,3,4,5,6,7,8]}}",
        "{\"key\":{\"uid\":1000,\"gid\":100},\"value\":{\"data\":[10,11,12,13,14,15,16,18446744073709551615]}}");

    assertThat(Cli.run("delete", pin, "--key", "{\"uid\": 1, \"gid\": 2}", "--key-layout", KEY).exit()).isZero();
    var gone = Cli.run("lookup", pin, "--key", "{\"uid\": 1, \"gid\": 2}", "--key-layout", KEY);
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("bpfmap: no such key in map 'test_perm'");
    assertThat(Cli.run("delete", pin, "--key", "{\"uid\": 1, \"gid\": 2}", "--key-layout", KEY).exit()).isEqualTo(1);
    var exists = Cli.run("update", pin, "--key", "{\"uid\": 1000, \"gid\": 100}", "--value", "{\"data\": [0,0,0,0,0,0,0,0]}",
        "--key-layout", KEY, "--value-layout", VALUE, "--flag", "noexist");
    assertThat(exists.exit()).isEqualTo(2);
    assertThat(exists.err()).isEqualTo("bpfmap: update on map 'test_perm': EEXIST (File exists): the key is already "
        + "present (UpdateFlag.NOEXIST)");
  }

  /**
   * Tab after {@code id:} or {@code name:} lists the system's maps through {@code bpfmap maps}, and
   * completes only what follows the colon, as bash splits the word there.
   */
  @Test
  void aMapArgumentCompletesTheKernelsMapsByIdAndName(@TempDir Path tmp) throws Exception {
    Path script = Files.writeString(tmp.resolve("bpfmap.bash"), Cli.run("completion").out());
    String launcher = Cli.HOME.resolve("bin/bpfmap").toString();
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "cli_tabbed", 4, 4, 1))) {
      String id = Integer.toString(map.info().id());
      assertThat(CompletionTest.completeLine(script, tmp, launcher, "bpfmap dump name:cli_tab"))
          .containsExactly("cli_tabbed");
      assertThat(CompletionTest.completeLine(script, tmp, launcher, "bpfmap info id:" + id)).contains(id)
          .allMatch(i -> i.startsWith(id));
      assertThat(CompletionTest.completeLine(script, tmp, launcher, "bpfmap info id:")).contains(id)
          .allMatch(i -> i.matches("[0-9]+"));
    }
    assertThat(CompletionTest.completeLine(script, tmp, launcher, "bpfmap dump name:cli_tab")).isEmpty();
  }

  @Test
  void everyCommandHasHelpWithExamples() throws Exception {
    for (String command : new String[] {"create", "load", "maps", "info", "update", "lookup", "delete", "dump", "export",
        "check", "retire", "fleet", "completion",
        "quickstart"}) {
      var help = Cli.run(command, "--help");
      assertThat(help.exit()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: bpfmap " + command).contains("Example");
    }
  }

  @Test
  void anOutputThatCannotBeWrittenIsAnErrorAndVersionWinsOverACommand() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Cli.HOME.resolve("bin/bpfmap").toString(), "--help")
        .redirectOutput(new java.io.File("/dev/full"));
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(err).isEqualTo("bpfmap: cannot write the output (stdout is full or closed)");
    var version = Cli.run("--version", "dump");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("bpfmap ");
  }

  /**
   * {@code bpfmap dump … | head -1}: the reader goes after one line, with far more than a pipe and
   * our buffer hold still to come, so the next write meets the closed pipe: the command ends there,
   * quietly, with 141, as bpftool ends on SIGPIPE.
   */
  @Test
  void aReaderThatGoesEndsTheDumpQuietly(PinDir dir) throws Exception {
    int n = 10_000;  // about 350 KB of output: more than a 64 KiB pipe and a 64 KiB buffer
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "cli_pipe", 8, 8, n))) {
      java.lang.foreign.MemorySegment keys = java.lang.foreign.Arena.ofAuto().allocate(8L * n);
      for (int i = 0; i < n; i++) {
        keys.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, i, i);
      }
      assertThat(map.updateBatch(keys, keys, n)).isEqualTo(n);
      map.pin(dir.resolve("pipe"));
    }
    Process p = new ProcessBuilder(Cli.HOME.resolve("bin/bpfmap").toString(), "dump", dir.resolve("pipe").toString(),
        "--key-layout", "=Q", "--value-layout", "=Q").start();
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).matches("\\{\"key\":\\{\"f0\":\\d+},\"value\":\\{\"f0\":\\d+}}");
    }
    String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(Stdout.READER_GONE);
    assertThat(err).isEmpty();
  }

  @Test
  void perCpuValuesPrintOnePerCpu(PinDir dir) throws Exception {
    String pin = dir.resolve("pcpu").toString();
    Cli.run("create", "--type", "percpu_hash", "--name", "pcpu", "--key-size", "4", "--value-size", "8",
        "--max-entries", "4", "--pin", pin);
    Cli.run("update", pin, "--key", "{\"f0\": 7}", "--value", "{\"f0\": 9}", "--key-layout", "=I", "--value-layout", "=Q");
    var out = Cli.run(Map.of(), "lookup", pin, "--key", "{\"f0\": 7}", "--key-layout", "=I", "--value-layout", "=Q");
    int cpus = io.bpfmap.core.BpfMap.possibleCpus();
    assertThat(out.out()).isEqualTo("[" + String.join(",", java.util.Collections.nCopies(cpus, "{\"f0\":9}")) + "]");
  }
}
