package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script, sourced in a real bash and asked what it completes. */
class CompletionTest {
  /** What bash completes for the words typed so far (the last one is being typed). */
  private static List<String> complete(Path script, Path dir, String... words) throws Exception {
    return completeLine(script, dir, "bpfmap", "bpfmap " + String.join(" ", words));
  }

  /**
   * What bash completes at the end of {@code line}, split as bash splits it: at blanks, and a colon
   * a word of its own ({@code id:4} is {@code id}, {@code :}, {@code 4}). {@code bpfmap} is
   * {@code launcher}, as a command line names it.
   */
  static List<String> completeLine(Path script, Path dir, String launcher, String line) throws Exception {
    java.util.List<String> words = new java.util.ArrayList<>();
    for (String w : (line + "|").split(" +")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("[^:]+|:").matcher(w);
      while (m.find()) {
        words.add(m.group());
      }
    }
    String last = words.removeLast();
    words.add(last.equals("|") ? "" : last.substring(0, last.length() - 1));
    words.set(0, launcher);
    StringBuilder cmd = new StringBuilder("source " + script + "; COMP_WORDS=(");
    words.forEach(w -> cmd.append(" '").append(w).append("'"));
    cmd.append("); COMP_CWORD=").append(words.size() - 1).append("; COMP_LINE='").append(line).append("'; COMP_POINT=")
        .append(line.length()).append("; _bpfmap; printf '%s\\n' \"${COMPREPLY[@]}\"");
    Process p = new ProcessBuilder("bash", "-c", cmd.toString()).directory(dir.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(err).isZero();
    assertThat(err).isEmpty();
    return out.lines().filter(l -> !l.isEmpty()).sorted().toList();
  }

  @Test
  void aMapArgumentCompletesToIdOrNameBesideFiles(@TempDir Path tmp) throws Exception {
    Path script = Files.writeString(tmp.resolve("bpfmap.bash"), CompletionCommand.script(Main.commands()));
    Files.createFile(tmp.resolve("index.txt"));
    assertThat(completeLine(script, tmp, "bpfmap", "bpfmap dump i")).containsExactly("id:", "index.txt");
    assertThat(completeLine(script, tmp, "bpfmap", "bpfmap lookup n")).containsExactly("name:");
    assertThat(completeLine(script, tmp, "bpfmap", "bpfmap load i")).as("load takes an object, not a map")
        .containsExactly("index.txt");
    assertThat(completeLine(script, tmp, "bpfmap", "bpfmap dump --mask i")).as("an option's value is no map")
        .containsExactly("index.txt");
  }

  @Test
  void completesCommandsTheirOptionsAndFiles(@TempDir Path tmp) throws Exception {
    Path script = Files.writeString(tmp.resolve("bpfmap.bash"), CompletionCommand.script(Main.commands()));
    Files.createFile(tmp.resolve("flows.bpf.o"));
    assertThat(complete(script, tmp, "d")).containsExactly("delete", "dump");
    assertThat(complete(script, tmp, "")).contains("create", "load", "maps", "info", "update", "lookup", "delete",
        "dump", "export", "quickstart", "completion", "help");
    assertThat(complete(script, tmp, "dump", "/sys/fs/bpf/x", "--")).containsExactly("--help", "--key-layout", "--mask",
        "--trust-layout", "--value-layout", "--verbose");
    assertThat(complete(script, tmp, "--verbose", "lookup", "--k")).containsExactly("--key", "--key-layout");
    assertThat(complete(script, tmp, "load", "flo")).containsExactly("flows.bpf.o");
    assertThat(complete(script, tmp, "help", "qu")).containsExactly("quickstart");
    Files.createFile(tmp.resolve("my flows.yaml"));
    assertThat(complete(script, tmp, "check", "--config", "my")).as("a name with a space stays whole")
        .containsExactly("my flows.yaml");
    assertThat(complete(script, tmp, "export", "--log-format", "")).containsExactly("json", "logfmt", "text");
    assertThat(complete(script, tmp, "create", "--type", "lru_")).containsExactly("lru_hash", "lru_percpu_hash");
    assertThat(complete(script, tmp, "create", "--type", "u")).as("no map can be created as unspec")
        .containsExactly("user_ringbuf");
  }

  @Test
  void bashAcceptsTheScriptAndRegistersIt(@TempDir Path tmp) throws Exception {
    Path script = Files.writeString(tmp.resolve("bpfmap.bash"), CompletionCommand.script(Main.commands()));
    Process p = new ProcessBuilder("bash", "-c", "source " + script + " && complete -p bpfmap").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isZero();
    assertThat(out).isEqualTo("complete -o filenames -F _bpfmap bpfmap");
  }
}
