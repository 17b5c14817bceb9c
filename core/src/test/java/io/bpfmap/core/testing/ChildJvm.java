package io.bpfmap.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a fresh JVM, for what a JVM can only do once. */
public final class ChildJvm {
  private ChildJvm() {}

  /** Exit code and the combined output, trimmed. */
  public record Result(int exitCode, String output) {}

  /** {@code prefix} runs before java (e.g. setpriv); {@code jvmArgs} go before the class. */
  public static Result run(List<String> prefix, List<String> jvmArgs, Class<?> main, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not exit: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }
}
