package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour of a map with BTF, run as written: every {@code $} command of the block
 * marked {@code tour:btf}, in a shell at the checkout's root, with its printed output compared to
 * the README's (map and BTF ids vary; {@code bpfmap maps} lists other maps too). The pin directory
 * and the object file are the test's own.
 */
@KernelTest
class ReadmeTourIT {
  private record Step(String command, List<String> expected) {}

  @Test
  void theBtfTourRunsAsTheReadmeShowsIt(PinDir dir, @TempDir Path tmp) throws Exception {
    BpfPrograms.tool("clang");
    List<Step> steps = steps(Files.readString(Cli.HOME.resolve("README.md")));
    assertThat(steps).hasSizeGreaterThanOrEqualTo(6);
    for (Step step : steps) {
      String command = step.command().replace("/sys/fs/bpf/demo", dir.path().toString())
          .replace("flows.bpf.o", tmp.resolve("flows.bpf.o").toString());
      Process p = new ProcessBuilder("bash", "-c", command).directory(Cli.HOME.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(command + "\n" + out).isZero();
      List<String> got = out.lines().map(l -> ids(l.replace(dir.path().toString(), "/sys/fs/bpf/demo"))).toList();
      List<String> want = step.expected().stream().map(ReadmeTourIT::ids).toList();
      if (step.command().equals("bin/bpfmap maps")) {
        assertThat(got).as(command).containsAll(want);
      } else {
        assertThat(got).as(command).isEqualTo(want);
      }
    }
  }

  private static String ids(String line) {
    return line.replaceAll("\"id\":\\d+", "\"id\":N").replaceAll("\"btf_id\":\\d+", "\"btf_id\":N");
  }

  /** The commands of the marked block, each with the lines it prints. */
  private static List<Step> steps(String readme) {
    int marker = readme.indexOf("<!-- tour:btf");
    int start = readme.indexOf("```sh\n", marker) + 6;
    String block = readme.substring(start, readme.indexOf("\n```", start));
    List<Step> steps = new ArrayList<>();
    String command = null;
    List<String> expected = new ArrayList<>();
    boolean continued = false;
    for (String line : block.split("\n", -1)) {
      if (continued) {
        command += "\n" + line;
        continued = line.endsWith("\\");
      } else if (line.startsWith("$ ")) {
        if (command != null) {
          steps.add(new Step(command, List.copyOf(expected)));
        }
        command = line.substring(2);
        expected.clear();
        continued = line.endsWith("\\");
      } else {
        expected.add(line);
      }
    }
    steps.add(new Step(command, List.copyOf(expected)));
    return steps;
  }
}
