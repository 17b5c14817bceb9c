package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.exporter.Command.Opt;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line parser, on a command of its own: pure logic, no kernel. */
class ArgsTest {
  private static final Opt MAP = Opt.param("MAP", "The map.");
  private static final Opt KEY = Opt.value("--key", "K", "The key.").asRequired();
  private static final Opt FLAG = Opt.value("--flag", "FLAG", "A flag.").orElse("any");
  private static final Opt SIZE = Opt.value("--size", "N", "A size.");
  private static final Opt LIST = Opt.value("--flags", "F,…", "Flags.");
  private static final Opt C = Opt.flag("--c", "As C.");
  private static final Command COMMAND = new Command("probe", "A probe.", List.of(MAP, KEY, FLAG, SIZE, LIST, C),
      List.of("", "Example:", "  bpfmap probe /sys/fs/bpf/x --key '{\"a\": 1, \"b\": 2}' --flags a,b --size 4 --c"),
      a -> () -> 0);

  private static Args parse(String... tokens) {
    return Args.parse(COMMAND, List.of(tokens));
  }

  @Test
  void readsValuesInBothFormsFlagsParametersDefaultsAndLists() {
    Args a = parse("/sys/fs/bpf/x", "--key", "{\"a\": 1}", "--size=16", "--flags", "no_prealloc,mmapable", "--c");
    assertThat(a.param(MAP)).isEqualTo("/sys/fs/bpf/x");
    assertThat(a.path(MAP)).isEqualTo(Path.of("/sys/fs/bpf/x"));
    assertThat(a.value(KEY)).isEqualTo("{\"a\": 1}");
    assertThat(a.integer(SIZE)).isEqualTo(16);
    assertThat(a.value(FLAG)).isEqualTo("any");
    assertThat(a.list(LIST)).containsExactly("no_prealloc", "mmapable");
    assertThat(a.flag(C)).isTrue();
    assertThat(a.help()).isFalse();
    Args b = parse("--key=--x", "--verbose", "--", "-dash-param");
    assertThat(b.value(KEY)).as("a value after = may start with a dash").isEqualTo("--x");
    assertThat(b.param(MAP)).isEqualTo("-dash-param");
    assertThat(b.verbose()).isTrue();
    assertThat(b.flag(C)).isFalse();
    assertThat(b.list(LIST)).isEmpty();
  }

  @Test
  void helpNeedsNothingElse() {
    assertThat(parse("--help").help()).isTrue();
    assertThat(parse("/x", "-h").help()).isTrue();
  }

  @Test
  void everyBadCommandLineSaysWhatAndWhere() {
    assertThatThrownBy(() -> parse("/x")).hasMessage("Missing required option: '--key=K'");
    assertThatThrownBy(() -> parse("--key", "1")).hasMessage("Missing required parameter: 'MAP'");
    assertThatThrownBy(() -> parse("/x", "/y", "--key", "1")).hasMessage("Unmatched argument: '/y'");
    assertThatThrownBy(() -> parse("/x", "--key", "1", "--bogus")).hasMessage("Unknown option: '--bogus'");
    assertThatThrownBy(() -> parse("/x", "--key")).hasMessage("Missing value for option '--key=K'");
    assertThatThrownBy(() -> parse("/x", "--key", "1", "--key", "2"))
        .hasMessage("option '--key' should be given only once");
    assertThatThrownBy(() -> parse("/x", "--key", "1", "--c=yes")).hasMessage("option '--c' takes no value: '--c=yes'");
    assertThatThrownBy(() -> parse("/x", "--key", "1", "--size", "big").integer(SIZE))
        .hasMessage("Invalid value for option '--size': 'big' is not an integer");
    assertThatThrownBy(() -> parse("a\0b", "--key", "1").path(MAP))
        .hasMessageStartingWith("Invalid value for 'MAP': ");
  }

  @Test
  void helpShowsUsageEveryOptionAndExamplesUnwrapped() {
    String help = COMMAND.help();
    assertThat(help).startsWith("Usage: bpfmap probe [-h] [--verbose] MAP --key=K [--flag=FLAG] [--size=N] [--flags=F,…] [--c]\n")
        .contains("A probe.\n", "  MAP ", "  --key=K ", "The key.", "A flag. (default any)", "  -h, --help ", "  --verbose ")
        .endsWith("Example:\n  bpfmap probe /sys/fs/bpf/x --key '{\"a\": 1, \"b\": 2}' --flags a,b --size 4 --c\n");
    assertThat(help.lines().filter(l -> !l.startsWith("  bpfmap")).allMatch(l -> l.length() <= Command.WIDTH)).isTrue();
  }

  @Test
  void versionComesFirstWhateverFollows() {
    assertThat(Main.help()).startsWith("Usage: bpfmap [-h] [-V] [--verbose] COMMAND\n");
  }

  @Test
  void theTopLevelHelpListsEveryCommandOnce() {
    String help = Main.help();
    for (String c : List.of("create", "load", "maps", "info", "update", "lookup", "delete", "dump", "export",
        "quickstart", "help")) {
      assertThat(help.lines().filter(l -> l.startsWith("  " + c + " "))).as(c).hasSize(1);
    }
  }
}
