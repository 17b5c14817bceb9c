package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line fed what an attacker or a careless user would: one line, exit 2, nothing written. */
@KernelTest
class HostileInputIT {
  private static final String KEY = "--key-layout=[[id, Q]]";
  private static final String VALUE = "--value-layout=[[pub, Q], [secret, Q]]";

  private static void fails(Cli.Result r, String message) {
    assertThat(r.err()).isEqualTo(message);
    assertThat(r.exit()).isEqualTo(2);
  }

  private static String map(PinDir dir) throws Exception {
    String pin = dir.resolve("m").toString();
    assertThat(Cli.run("create", "--type", "hash", "--name", "m", "--key-size", "8", "--value-size", "16",
        "--max-entries", "4", "--pin", pin).exit()).isZero();
    assertThat(Cli.run("update", pin, KEY, VALUE, "--key", "{id: 1}", "--value", "{pub: 5, secret: 12345}").exit())
        .isZero();
    return pin;
  }

  private static String value(String pin) throws Exception {
    return Cli.run("lookup", pin, KEY, VALUE, "--key", "{id: 1}").out();
  }

  @Test
  void updateEnforcesTheMaskLikeAFilteredMap(PinDir dir) throws Exception {
    String pin = map(dir);
    fails(Cli.run("update", pin, KEY, VALUE, "--mask", "{pub: W}", "--key", "{id: 1}", "--value", "{pub: 1, secret: 99}"),
        "bpfmap: update on map 'm': secret: is not writable (the mask gives X)");
    fails(Cli.run("update", pin, KEY, VALUE, "--mask", "{nope: Q}", "--key", "{id: 1}", "--value", "{pub: 1}"),
        "bpfmap: --mask: nope: no such field in the layout");
    fails(Cli.run("update", pin, KEY, VALUE, "--mask", "{pub: W}", "--key", "{id: 1}", "--value", "{pub: x}"),
        "bpfmap: --value: pub: expected an integer for 'Q', got String x");
    assertThat(value(pin)).isEqualTo("{\"pub\":5,\"secret\":12345}");
    Cli.Result ok = Cli.run("update", pin, KEY, VALUE, "--mask", "{pub: W}", "--key", "{id: 1}", "--value", "{pub: 7}");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(value(pin)).as("the W field merged into the kernel value").isEqualTo("{\"pub\":7,\"secret\":12345}");
    fails(Cli.run("delete", pin, KEY, VALUE, "--mask", "{pub: W}", "--key", "{id: 1}"),
        "bpfmap: delete on map 'm': the mask does not let every field be written (secret: X), and a delete takes "
            + "them all");
    assertThat(value(pin)).isEqualTo("{\"pub\":7,\"secret\":12345}");
  }

  @Test
  void aLayoutWhoseSizeWrapsAroundIsOneLine(PinDir dir) throws Exception {
    String pin = map(dir);
    fails(Cli.run("dump", pin, "--value-layout", "=" + "1048576s".repeat(2048)),
        "bpfmap: --value-layout: f4: the layout is larger than 4194304 bytes (the kernel's largest map value)");
  }

  @Test
  void pathsSayWhatIsWrongWithThem(PinDir dir, @TempDir Path tmp) throws Exception {
    Path directory = Files.createDirectories(dir.resolve("adir"));
    fails(Cli.run("info", directory.toString()),
        "bpfmap: open pin " + directory + ": EACCES (Permission denied): it is a directory, not a pinned object");
    Path dotted = dir.resolve("a.b");
    fails(Cli.run("create", "--type", "hash", "--name", "m", "--key-size", "8", "--value-size", "8",
        "--max-entries", "4", "--pin", dotted.toString()),
        "bpfmap: pin " + dotted + ": EPERM (Operation not permitted): bpffs refuses names that contain a dot");
    String pin = map(dir);
    Path missing = tmp.resolve("missing.yaml");
    fails(Cli.run("dump", pin, "--value-layout", "@" + missing), "bpfmap: --value-layout: cannot read " + missing
        + ": no such file");
    fails(Cli.run("export", "--config", missing.toString()), "bpfmap: " + missing + ": no such file");
  }

  @Test
  void aValueWithANewlineStaysOnOneLine(PinDir dir) throws Exception {
    String pin = map(dir);
    fails(Cli.run("update", pin, KEY, VALUE, "--key", "{id: 1}", "--value", "{pub: \"two\\nlines\", secret: 1}"),
        "bpfmap: --value: pub: expected an integer for 'Q', got String two\\nlines");
  }

  @Test
  void aBrokerNameThatDoesNotResolveIsOneLineAtStart(PinDir dir, @TempDir Path tmp) throws Exception {
    String pin = map(dir);
    Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
        maps:
          - {name: m, pin: %s, key: [[id, Q]], value: [[pub, Q], [secret, Q]]}
        sinks:
          kafka: {bootstrap-servers: "no-such-host.invalid:9092"}
        """.formatted(pin));
    fails(Cli.run("export", "--config", cfg.toString()),
        "bpfmap: kafka at no-such-host.invalid:9092: No resolvable bootstrap urls given in bootstrap.servers");
  }
}
