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
 * The README's tours, run as written: every {@code $} command of the blocks marked
 * {@code tour:btf} and {@code tour:nobtf}, in a shell, with its printed output compared to the
 * README's (map and BTF ids vary; {@code bpfmap maps} lists other maps too). Pins, the object file
 * and the layout files are the test's own.
 */
@KernelTest
class ReadmeTourIT {
  private record Step(String command, List<String> expected) {}

  @Test
  void theBtfTourRunsAsTheReadmeShowsIt(PinDir dir, @TempDir Path tmp) throws Exception {
    BpfPrograms.tool("clang");
    run(steps("tour:btf"), 6, Cli.HOME, "/sys/fs/bpf/demo", dir.path().toString(), "flows.bpf.o",
        tmp.resolve("flows.bpf.o").toString());
  }

  /** The second tour, in a directory of its own (it writes its layout files there). */
  @Test
  void theTourWithoutBtfRunsAsTheReadmeShowsIt(PinDir dir, @TempDir Path tmp) throws Exception {
    Files.createSymbolicLink(tmp.resolve("bin"), Cli.HOME.resolve("bin"));
    run(steps("tour:nobtf"), 7, tmp, "/sys/fs/bpf/flows", dir.resolve("flows").toString());
  }

  /** Runs each step in {@code cwd}, the README's paths replaced by the test's (pairs: from, to). */
  private static void run(List<Step> steps, int atLeast, Path cwd, String... paths) throws Exception {
    assertThat(steps).hasSizeGreaterThanOrEqualTo(atLeast);
    for (Step step : steps) {
      String command = step.command();
      for (int i = 0; i < paths.length; i += 2) {
        command = command.replace(paths[i], paths[i + 1]);
      }
      Process p = new ProcessBuilder("bash", "-c", command).directory(cwd.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(command + "\n" + out).isZero();
      List<String> got = out.lines().map(l -> ids(l.replace(paths[1], paths[0]))).toList();
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
  private static List<Step> steps(String tour) throws java.io.IOException {
    String readme = Files.readString(Cli.HOME.resolve("README.md"));
    int marker = readme.indexOf("<!-- " + tour + " ");
    assertThat(marker).as(tour).isNotNegative();
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
