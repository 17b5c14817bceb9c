package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        + "value 16 B \\(config\\)\n" + cfg + ": ok, 0 programs, 1 map, 0 rings");
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
        "bpfmap: " + cfg + ": 2 of 3 maps and rings failed the check");
  }

  @Test
  void programsAreLoadedAndTheirMapsAndRingsCheckedThenDetached(@TempDir Path tmp) throws Exception {
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        programs:
          - object: %s
        maps:
          - {name: syscalls, kernel-name: quickstart/syscalls}
        rings:
          - {name: execs, value: struct exec_event, labels: {comm: cstring}}
          - {name: bad, kernel-name: quickstart/execs, value: struct nope}
          - {name: labels, kernel-name: quickstart/execs, value: struct exec_event, labels: {nope: hex}}
        sinks: {stdout: true, prometheus: {listen: "127.0.0.1:0"}}
        """.formatted(ProgramExportIT.OBJECT));
    var r = Cli.run("check", "--config", cfg.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.out().lines()).hasSize(3);
    assertThat(r.out().lines().toList().get(0)).isEqualTo("programs[0] 'quickstart': ok, loaded and verified by the "
        + "kernel; the daemon attaches those of count_syscalls, time_syscalls, on_exec that a section attaches (a check attaches "
        + "nothing)");
    assertThat(r.out().lines().toList().get(1)).matches("maps\\[0\\] 'syscalls' \\(name:quickstart/syscalls\\): ok, "
        + "id \\d+, hash, key 20 B \\(BTF\\), value 8 B \\(BTF\\)");
    assertThat(r.out().lines().toList().get(2)).matches("rings\\[0\\] 'execs' \\(name:execs\\): ok, id \\d+, ringbuf, "
        + "events 96 B \\(BTF struct exec_event\\)");
    assertThat(r.err().lines()).containsExactly(
        "bpfmap: rings[1].value: find type " + ProgramExportIT.OBJECT + ": ENOENT (No such file or directory): no "
            + "type 'struct nope' in the object's BTF (BTF keeps the types of globals and signatures only: declare one, "
            + "as in 'struct event *unused_event __attribute__((unused));')",
        "bpfmap: rings[2].labels: label field 'nope' is not a field of ring 'labels' (it has pid, uid, time_ns, comm, "
            + "filename)",
        "bpfmap: " + cfg + ": 2 of 4 maps and rings failed the check");
    Path wrong = Files.writeString(tmp.resolve("wrong.yaml"), """
        programs:
          - object: %s
        rings:
          - {name: execs, kernel-name: other/execs, value: struct exec_event}
        """.formatted(ProgramExportIT.OBJECT));
    var w = Cli.run("check", "--config", wrong.toString());
    assertThat(w.exit()).isEqualTo(2);
    assertThat(w.err()).isEqualTo("bpfmap: " + wrong + ": rings[0].kernel-name: 'other/execs' names a map of program "
        + "'other', which programs: does not load (it loads quickstart)");
  }

  @Test
  void aRingIsReadOnceByAKernelThatTakesItsReaderAndItsLostCounterIsACounter(@TempDir Path tmp) throws Exception {
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        programs:
          - object: %s
        rings:
          - {name: one, kernel-name: events/events, value: struct event}
          - {name: two, kernel-name: events/events, value: struct event}
          - {name: perf, kernel-name: events/perf_events, value: struct event, perf-pages: 1048576}
          - {name: counted, kernel-name: events/events, value: struct event, lost-counter: events/perf_events}
        sinks: {stdout: true}
        """.formatted(io.bpfmap.core.testing.BpfPrograms.compile("events").toAbsolutePath()));
    var r = Cli.run("check", "--config", cfg.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("rings[0] 'one' (name:events/events): ok, id ");
    List<String> err = r.err().lines().toList();
    assertThat(err.get(0)).matches("bpfmap: rings\\[1\\]: rings\\[0\\] reads this ring already \\(map id \\d+\\): a ring "
        + "has one reader, and each record would go to one of them");
    assertThat(err.get(1)).startsWith("bpfmap: rings[2]: open perf buffer on map 'perf_events': ");
    assertThat(err.get(2)).startsWith("bpfmap: rings[3]: stream on map 'counted': the lost counter 'perf_events' is a "
        + "PERF_EVENT_ARRAY");
    assertThat(err.get(3)).isEqualTo("bpfmap: " + cfg + ": 3 of 4 maps and rings failed the check");
    Path counter = Files.writeString(tmp.resolve("counter.yaml"), """
        programs:
          - object: %s
        rings:
          - {name: counted, kernel-name: events/events, value: struct event, lost-counter: events/perf_events}
        sinks: {stdout: true}
        """.formatted(io.bpfmap.core.testing.BpfPrograms.compile("events").toAbsolutePath()));
    var c = Cli.run("check", "--config", counter.toString());
    assertThat(c.err().lines().toList().getFirst()).isEqualTo("bpfmap: rings[0]: stream on map 'counted': the lost "
        + "counter 'perf_events' is a PERF_EVENT_ARRAY with 4-byte keys and 4-byte values: give an ARRAY or "
        + "PERCPU_ARRAY whose 64-bit value at key 0 the program increments");
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
