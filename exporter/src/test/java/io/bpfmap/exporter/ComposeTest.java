package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-compose.yml and the files it uses agree: every referenced file exists, every port matches. */
class ComposeTest {
  private static final Path HOME = Path.of(System.getProperty("bpfmap.home", "..")).toAbsolutePath().normalize();
  /** Every published port binds to 127.0.0.1 unless BPFMAP_BIND says otherwise. */
  private static final String BIND = "${BPFMAP_BIND:-127.0.0.1}:";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path p) throws Exception {
    return Inputs.yaml().readValue(Files.readString(p), Map.class);
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeFilesAndPortsAgree() throws Exception {
    Map<String, Object> services = (Map<String, Object>) yaml(HOME.resolve("docker-compose.yml")).get("services");
    assertThat(services).containsOnlyKeys("kafka", "exporter", "prometheus", "grafana");
    for (Object s : services.values()) {
      for (Object v : (List<Object>) ((Map<String, Object>) s).getOrDefault("volumes", List.of())) {
        String host = String.valueOf(v).split(":")[0];
        if (host.startsWith("./")) {
          assertThat(HOME.resolve(host)).as("volume %s", v).exists();
        }
      }
    }
    Map<String, Object> exporter = (Map<String, Object>) services.get("exporter");
    assertThat(exporter.get("privileged")).isEqualTo(true);
    assertThat((List<Object>) exporter.get("volumes")).contains("/sys/fs/bpf:/sys/fs/bpf");
    List<String> command = (List<String>) exporter.get("command");
    String listen = command.get(command.indexOf("--listen") + 1);
    String port = listen.substring(listen.lastIndexOf(':') + 1);
    assertThat((List<Object>) exporter.get("ports")).contains(BIND + port + ":" + port);
    String kafkaAddress = command.get(command.indexOf("--kafka") + 1);
    Map<String, Object> kafkaEnv = (Map<String, Object>) ((Map<String, Object>) services.get("kafka")).get("environment");
    assertThat(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"))).contains("//" + kafkaAddress);
    assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");

    Map<String, Object> prom = yaml(HOME.resolve("packaging/docker/prometheus.yml"));
    List<Object> targets = (List<Object>) ((Map<String, Object>) ((List<Object>) ((Map<String, Object>)
        ((List<Object>) prom.get("scrape_configs")).getFirst()).get("static_configs")).getFirst()).get("targets");
    assertThat(targets).containsExactly("exporter:" + port);

    String dockerfile = Files.readString(HOME.resolve("Dockerfile"));
    assertThat(dockerfile).contains("FROM eclipse-temurin:25").contains("libbpf1").contains("EXPOSE " + port)
        .contains("http://127.0.0.1:" + port + "/health");
    Config.parse(Inputs.yaml().readValue(Files.readString(HOME.resolve("packaging/docker/bpfmap.yaml")), Object.class));

    JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(HOME.resolve("packaging/docker/grafana/dashboards/bpfmap-flows.json").toFile());
    String exprs = dashboard.findValuesAsText("expr").toString();
    assertThat(exprs).contains("bpfmap_flows_packets_total", "bpfmap_flows_bytes_total", "bpfmap_kafka_records_sent_total");
    List<String> variables = new java.util.ArrayList<>();
    dashboard.get("templating").get("list").forEach(v -> variables.add(v.get("name").asText()));
    assertThat(variables).containsExactly("datasource", "instance", "map");
    for (JsonNode panel : dashboard.get("panels")) {
      String title = panel.get("title").asText();
      assertThat(panel.get("datasource").get("uid").asText()).as(title).isEqualTo("${datasource}");
      assertThat(panel.at("/fieldConfig/defaults/unit").asText()).as(title + ": a unit").isNotEmpty();
      for (JsonNode target : panel.get("targets")) {
        String expr = target.get("expr").asText();
        assertThat(expr).as(title).contains("instance=~\"$instance\"");
        java.util.regex.Matcher counter = java.util.regex.Pattern.compile("(\\w+_total)\\{").matcher(expr);
        while (counter.find()) {
          assertThat(expr).as(title + ": a counter is shown as a rate").contains("rate(" + counter.group(1) + "{");
        }
      }
    }
    assertThat(yaml(HOME.resolve("packaging/docker/grafana/provisioning/dashboards/bpfmap.yml")).toString())
        .contains("/var/lib/grafana/dashboards");
  }

  /** The rules hadolint and Docker's own guidance check, for the Dockerfile of a clean clone. */
  @Test
  void theDockerfileBuildsFromSourcesAndRunsAsANonRootUserWithAHealthcheck() throws Exception {
    List<String> lines = Files.readAllLines(HOME.resolve("Dockerfile"));
    String text = String.join("\n", lines).replace("\\\n", " ");
    List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(froms).hasSize(2);
    assertThat(froms.getFirst()).endsWith(" AS build");
    for (String from : froms) {
      assertThat(from.split(" ")[1]).as("a pinned tag").matches("[^:]+:[0-9][^ ]*").doesNotEndWith(":latest");
    }
    int last = lines.indexOf(froms.getLast());
    List<String> runtime = lines.subList(last, lines.size());
    String user = runtime.stream().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow().substring(5).strip();
    assertThat(user).isNotIn("root", "0");
    assertThat(runtime.indexOf(runtime.stream().filter(l -> l.startsWith("USER ")).findFirst().orElseThrow()))
        .isLessThan(runtime.indexOf(runtime.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow()));
    assertThat(runtime.stream().anyMatch(l -> l.startsWith("HEALTHCHECK "))).isTrue();
    for (String label : List.of("title", "description", "version", "licenses", "source")) {
      assertThat(text).contains("org.opencontainers.image." + label + "=");
    }
    assertThat(lines).noneMatch(l -> l.startsWith("ADD "));
    for (String run : text.lines().filter(l -> l.startsWith("RUN ") && l.contains("apt-get install")).toList()) {
      assertThat(run).contains("--no-install-recommends", "rm -rf /var/lib/apt/lists/*");
    }
    assertThat(text).contains("setcap cap_bpf+ep").doesNotContain("cap_sys_admin");
    List<String> ignored = Files.readAllLines(HOME.resolve(".dockerignore"));
    assertThat(ignored).contains(".git", "**/target");
    for (String copy : lines.stream().filter(l -> l.startsWith("COPY ") && !l.contains("--from=")).toList()) {
      String source = copy.split(" ")[1];
      assertThat(HOME.resolve(source)).as(copy).exists();
      assertThat(source).as(copy + ": built on the host").doesNotContain("target");
    }
    assertThat(text).contains("./mvnw -B -q -pl exporter -am package -DskipTests");
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeStartsEachServiceOnceWhatItNeedsIsHealthyAndPublishesOnLocalhost() throws Exception {
    Map<String, Object> services = (Map<String, Object>) yaml(HOME.resolve("docker-compose.yml")).get("services");
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> service = (Map<String, Object>) e.getValue();
      assertThat(service).as(e.getKey()).containsKey("healthcheck");
      assertThat(((Map<String, Object>) service.get("healthcheck")).get("test")).as(e.getKey()).isInstanceOf(List.class);
      for (Object p : (List<Object>) service.getOrDefault("ports", List.of())) {
        assertThat(String.valueOf(p)).as(e.getKey()).startsWith(BIND);
      }
      Object deps = service.get("depends_on");
      if (deps != null) {
        assertThat(deps).as(e.getKey()).isInstanceOf(Map.class);
        for (Object d : ((Map<String, Object>) deps).values()) {
          assertThat(((Map<String, Object>) d).get("condition")).as(e.getKey()).isEqualTo("service_healthy");
        }
      }
      if (service.containsKey("image")) {
        assertThat(String.valueOf(service.get("image"))).as(e.getKey()).matches("[^:]+:v?[0-9][^ ]*");
      }
    }
    Map<String, Object> grafana = (Map<String, Object>) services.get("grafana");
    assertThat(String.valueOf(((Map<String, Object>) grafana.get("environment")).get("GF_SECURITY_ADMIN_PASSWORD")))
        .startsWith("${");
  }
}
