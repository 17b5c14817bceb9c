package io.bpfmap.exporter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code bin/bpfmap} of this checkout. */
final class Cli {
  static final Path HOME = Path.of(System.getProperty("bpfmap.home", "..")).toAbsolutePath().normalize();

  record Result(int exit, String out, String err) {}

  private Cli() {}

  static Result run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }

  static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    return run(HOME.resolve("bin/bpfmap"), env, args);
  }

  /** Runs the launcher at {@code launcher} (a copy in a made-up checkout) to its end. */
  static Result run(Path launcher, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Process p = builder(launcher, env, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bpfmap did not exit: " + List.of(args));
    }
    return new Result(p.exitValue(), out.strip(), err.strip());
  }

  /** Starts a long-running command; its stderr goes to {@code log} (destroy() closes pipes). */
  static Process start(Path log, String... args) throws IOException {
    ProcessBuilder pb = builder(Map.of(), args);
    pb.redirectError(log.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  /** Starts a long-running command whose stdout the caller reads; its stderr goes to {@code log}. */
  static Process startReading(Path log, String... args) throws IOException {
    return builder(Map.of(), args).redirectError(log.toFile()).start();
  }

  /** Starts a long-running command with its stdout and stderr, merged, in {@code out}. */
  static Process startLogged(Path out, String... args) throws IOException {
    return builder(Map.of(), args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  static Process start(Map<String, String> env, String... args) throws IOException {
    return builder(env, args).start();
  }

  /** The body of an HTTP GET on this host's {@code port}; "" while nothing listens there. */
  static String get(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException notListening) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static ProcessBuilder builder(Map<String, String> env, String... args) {
    return builder(HOME.resolve("bin/bpfmap"), env, args);
  }

  private static ProcessBuilder builder(Path launcher, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k); // a null value unsets the variable
      } else {
        pb.environment().put(k, v);
      }
    });
    return pb;
  }
}
