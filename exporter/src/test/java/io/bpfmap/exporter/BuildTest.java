package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What users of the artifacts rely on: the BOM lists every library at the build's version, each names its module. */
class BuildTest {
  private static final Path HOME = Path.of(System.getProperty("bpfmap.home", "..")).toAbsolutePath().normalize();

  private static List<String> all(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void theBomListsEveryLibraryAtTheBuildsVersion() throws Exception {
    String parent = Files.readString(HOME.resolve("pom.xml"));
    String bom = Files.readString(HOME.resolve("bom/pom.xml"));
    String version = all(parent, "<artifactId>bpfmap-parent</artifactId>\\s*<version>([^<]+)</version>").getFirst();
    assertThat(all(bom, "<artifactId>bpfmap-bom</artifactId>\\s*<version>([^<]+)</version>")).last().isEqualTo(version);
    assertThat(bom).doesNotContain("<parent>");
    List<String> libraries = all(parent, "<module>([a-z-]+)</module>").stream()
        .filter(m -> !List.of("bom", "benchmarks").contains(m)).toList();
    assertThat(libraries).containsExactlyInAnyOrder("core", "kafka-broker", "kafka-connector", "metrics", "fleet", "exporter");
    for (String module : libraries) {
      String pom = Files.readString(HOME.resolve(module).resolve("pom.xml"));
      String artifact = all(pom, "</parent>\\s*<artifactId>([^<]+)</artifactId>").getFirst();
      assertThat(bom).as(module).contains("<artifactId>" + artifact + "</artifactId><version>${project.version}</version>");
      assertThat(all(pom, "<bpfmap.moduleName>([^<]+)</bpfmap.moduleName>")).as(module).singleElement()
          .asString().startsWith("io.bpfmap.");
    }
    assertThat(HOME.resolve("LICENSE")).content().contains("Apache License", "Version 2.0, January 2004");
  }

  /**
   * Every library ships a javadoc jar, built with every doclint group and failing on a warning: a
   * build with an undocumented public member does not pass.
   */
  @Test
  void javadocIsBuiltWithEveryDoclintGroupAndFailsOnAWarning() throws Exception {
    String parent = Files.readString(HOME.resolve("pom.xml"));
    String plugin = all(parent, "(?s)(<artifactId>maven-javadoc-plugin</artifactId>.*?</plugin>)").getLast();
    assertThat(plugin).contains("<doclint>all</doclint>", "<failOnWarnings>true</failOnWarnings>", "<goal>jar</goal>");
    assertThat(all(parent, "(?s)<build>\\s*<plugins>(.*?)</plugins>").getFirst())
        .as("bound for every module, not only managed").contains("<artifactId>maven-javadoc-plugin</artifactId>");
    for (String module : List.of("core", "kafka-broker", "kafka-connector", "metrics", "exporter")) {
      assertThat(Files.readString(HOME.resolve(module).resolve("pom.xml"))).as(module)
          .doesNotContain("maven.javadoc.skip");
    }
  }
}
