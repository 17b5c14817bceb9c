package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/bpfmap} itself: how it finds Java, what it remembers, and its AOT cache. */
class LauncherIT {
  private static final Path JDK = Path.of(System.getProperty("java.home"));
  /** The pom's version, which --version prints (failsafe passes it). */
  private static final String VERSION = System.getProperty("bpfmap.version");

  /** A fake JDK: a release file with {@code version}, and a java that leaves {@code ran} if it is started. */
  private static Path fakeJdk(Path dir, String version, Path ran) throws IOException {
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
    Path java = dir.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\ntouch " + ran + "\necho \"fake java $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /**
   * An environment with JAVA_HOME unset, the launcher's cache in {@code cache}, no AOT cache, and a
   * PATH of the tools the launcher uses but no java ({@code /usr/bin} holds the machine's Java 17).
   */
  private static Map<String, String> env(Path cache, Path jdkDirs) throws IOException {
    Path tools = cache.resolveSibling("tools");
    if (!Files.isDirectory(tools)) {
      Files.createDirectories(tools);
      for (String tool : List.of("bash", "env", "readlink", "dirname", "mkdir", "find", "stat", "cksum", "sed", "head",
          "touch", "mv", "rm", "flock")) {
        Files.createSymbolicLink(tools.resolve(tool), Path.of("/usr/bin", tool));
      }
    }
    Map<String, String> env = new HashMap<>();
    env.put("JAVA_HOME", null);
    env.put("PATH", tools.toString());
    env.put("BPFMAP_JDK_DIRS", jdkDirs.toString());
    env.put("BPFMAP_CACHE_DIR", cache.toString());
    env.put("BPFMAP_AOT", "0");
    return env;
  }

  @Test
  void readsTheJdkVersionFromItsReleaseFileWithoutStartingIt(@TempDir Path tmp) throws Exception {
    Path ran = tmp.resolve("ran");
    Path old = fakeJdk(tmp.resolve("jdks/jdk-17"), "17.0.12", ran);
    var r = Cli.run(env(tmp.resolve("cache"), tmp.resolve("jdks")), "info", "/sys/fs/bpf/x");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("bpfmap: needs JDK 25 or newer, found Java 17 at " + old + " (set JAVA_HOME to a JDK 25)");
    assertThat(ran).as("the old JDK's java was not started").doesNotExist();
    assertThat(tmp.resolve("cache/java")).as("nothing remembered").doesNotExist();
  }

  @Test
  void remembersTheJdkItFoundUntilItIsGone(@TempDir Path tmp) throws Exception {
    Path jdks = Files.createDirectories(tmp.resolve("jdks"));
    Files.createSymbolicLink(jdks.resolve("jdk-25"), JDK);
    Path cache = tmp.resolve("cache");
    var first = Cli.run(env(cache, jdks), "--version");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).isEqualTo("bpfmap " + VERSION);
    assertThat(Files.readString(cache.resolve("java")).strip()).isEqualTo(jdks.resolve("jdk-25/bin/java").toString());

    // what it remembers is used as it is, not searched or checked again
    Path ran = tmp.resolve("ran");
    Path other = fakeJdk(tmp.resolve("remembered"), "25.0.1", ran);
    Files.writeString(cache.resolve("java"), other.resolve("bin/java") + "\n");
    var remembered = Cli.run(env(cache, jdks), "--version");
    assertThat(remembered.out()).startsWith("fake java ").endsWith("-jar " + Cli.HOME.resolve("exporter/target/bpfmap.jar")
        + " --version");
    assertThat(ran).exists();

    // once it is gone, the launcher searches again
    Files.delete(other.resolve("bin/java"));
    var searched = Cli.run(env(cache, jdks), "--version");
    assertThat(searched.out()).isEqualTo("bpfmap " + VERSION);
    assertThat(Files.readString(cache.resolve("java")).strip()).isEqualTo(jdks.resolve("jdk-25/bin/java").toString());
  }

  @Test
  void oneShotCommandsTrainAnAotCacheOnceAndThenStartFromIt(@TempDir Path tmp) throws Exception {
    Path jdks = Files.createDirectories(tmp.resolve("jdks"));
    Files.createSymbolicLink(jdks.resolve("jdk-25"), JDK);
    Path cache = tmp.resolve("cache");
    Map<String, String> env = env(cache, jdks);
    env.remove("BPFMAP_AOT");
    assertThat(Cli.run(env, "maps").exit()).isZero();
    Await.until(() -> aotFiles(cache).size() == 1 && !Files.exists(cache.resolve("training")));
    assertThat(aotFiles(cache).getFirst().getFileName().toString()).matches("bpfmap-[0-9]+\\.aot");

    env.put("BPFMAP_JAVA_OPTS", "-Xlog:aot=info:stderr");
    var used = Cli.run(env, "maps");
    assertThat(used.exit()).isZero();
    assertThat(used.err()).contains("Opened AOT cache " + aotFiles(cache).getFirst());
    assertThat(used.out().lines()).allMatch(l -> l.startsWith("{\"id\":"));

    var daemon = Cli.run(env, "export", "--help");
    assertThat(daemon.err()).as("the daemon runs with C2 and no cache").doesNotContain("Opened AOT cache");

    env.put("BPFMAP_AOT", "0");
    assertThat(Cli.run(env, "maps").err()).doesNotContain("Opened AOT cache");
    assertThat(aotFiles(cache)).as("one cache, trained once").hasSize(1);
  }

  @Test
  void buildsAgainOnlyWhenASourceIsNewerThanTheJarBuiltFromIt(@TempDir Path tmp) throws Exception {
    Path home = tmp.resolve("check[out]*"); // find takes parts of the path as patterns: they must match as text
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("bpfmap");
    Files.copy(Cli.HOME.resolve("bin/bpfmap"), launcher, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Path builds = tmp.resolve("builds");
    Path mvnw = home.resolve("mvnw");
    Files.writeString(mvnw, "#!/bin/sh\necho \"$*\" >> " + builds + "\n");
    Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<Path> sources = new ArrayList<>(List.of(Files.writeString(home.resolve("pom.xml"), "")));
    Path exporterJar = home.resolve("exporter/target/bpfmap.jar");
    List<Path> jars = new ArrayList<>(List.of(exporterJar));
    for (String m : List.of("core", "kafka-broker", "kafka-connector", "metrics", "exporter")) {
      Path source = Files.createDirectories(home.resolve(m + "/src/main/java")).resolve("A.java");
      sources.add(Files.writeString(source, ""));
      sources.add(Files.writeString(home.resolve(m + "/pom.xml"), ""));
      if (!m.equals("exporter")) {
        jars.add(home.resolve("exporter/target/lib/bpfmap-" + m + "-1.0.jar"));
      }
    }
    for (Path jar : jars) {
      Files.createDirectories(jar.getParent());
      Files.writeString(jar, "");
    }
    Map<String, String> env = env(tmp.resolve("cache"), tmp.resolve("jdks"));
    env.put("JAVA_HOME", fakeJdk(tmp.resolve("jdk-25"), "25.0.1", tmp.resolve("ran")).toString());
    long now = System.currentTimeMillis();
    // each module's jar a minute old, the exporter's ten seconds, every source two minutes
    Runnable built = () -> {
      try {
        for (Path jar : jars) {
          Files.setLastModifiedTime(jar, FileTime.fromMillis(now - (jar.equals(exporterJar) ? 10_000 : 60_000)));
        }
        for (Path source : sources) {
          Files.setLastModifiedTime(source, FileTime.fromMillis(now - 120_000));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };

    built.run();
    Files.setLastModifiedTime(home.resolve("core/src/main/java/A.java"), FileTime.fromMillis(now - 90_000));
    var fresh = Cli.run(launcher, env, "info", "x");
    assertThat(fresh.out()).startsWith("fake java ");
    assertThat(fresh.err()).isEmpty();
    assertThat(builds).as("nothing newer than its jar: no build").doesNotExist();

    // newer than its own module's jar, though older than the exporter's
    for (String changed : List.of("core/src/main/java/A.java", "metrics/pom.xml", "pom.xml",
        "exporter/src/main/java/A.java")) {
      built.run();
      Files.setLastModifiedTime(home.resolve(changed), FileTime.fromMillis(now - (changed.startsWith("exporter") ? 0 : 30_000)));
      var rebuilt = Cli.run(launcher, env, "info", "x");
      assertThat(rebuilt.err()).isEqualTo("bpfmap: building the jar (" + changed + " is newer than it) ...");
      assertThat(rebuilt.out()).startsWith("fake java ");
      assertThat(Cli.run(launcher, env, "info", "x").err()).as("built once").isEmpty();
    }
    assertThat(Files.readAllLines(builds)).hasSize(4)
        .allMatch(b -> b.equals("-q -B -pl exporter -am package -DskipTests -Dmaven.javadoc.skip=true"));

    Files.delete(home.resolve("kafka-connector/pom.xml"));
    var odd = Cli.run(launcher, env, "info", "x");
    assertThat(odd.err()).as("a module without its pom is no error").isEmpty();
    assertThat(odd.out()).startsWith("fake java ");

    Files.delete(jars.get(2));
    assertThat(Cli.run(launcher, env, "info", "x").err())
        .isEqualTo("bpfmap: building the jar (exporter/target/lib/bpfmap-kafka-broker-*.jar is missing) ...");
  }

  @Test
  void theBuildSaysInOneLineThatItNeedsJdk25(@TempDir Path tmp) throws Exception {
    Path ran = tmp.resolve("ran");
    Path old = fakeJdk(tmp.resolve("jdk-17"), "17.0.12", ran);
    Files.copy(old.resolve("bin/java"), old.resolve("bin/javac"));
    ProcessBuilder pb = new ProcessBuilder(Cli.HOME.resolve("mvnw").toString(), "-v").directory(Cli.HOME.toFile());
    pb.environment().put("JAVA_HOME", old.toString());
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes()).strip();
    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(err).isEqualTo("bpfmap needs JDK 25 or newer to build, found Java 17 at " + old
        + " (set JAVA_HOME to a JDK 25)");
    assertThat(ran).as("the old JDK was not started").doesNotExist();
  }

  private static List<Path> aotFiles(Path cache) {
    try (Stream<Path> files = Files.list(cache)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
