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
    assertThat((List<Object>) exporter.get("ports")).contains(port + ":" + port);
    String kafkaAddress = command.get(command.indexOf("--kafka") + 1);
    Map<String, Object> kafkaEnv = (Map<String, Object>) ((Map<String, Object>) services.get("kafka")).get("environment");
    assertThat(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"))).contains("//" + kafkaAddress);
    assertThat(kafkaEnv.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");

    Map<String, Object> prom = yaml(HOME.resolve("packaging/docker/prometheus.yml"));
    List<Object> targets = (List<Object>) ((Map<String, Object>) ((List<Object>) ((Map<String, Object>)
        ((List<Object>) prom.get("scrape_configs")).getFirst()).get("static_configs")).getFirst()).get("targets");
    assertThat(targets).containsExactly("exporter:" + port);

    String dockerfile = Files.readString(HOME.resolve("Dockerfile"));
    assertThat(dockerfile).contains("FROM eclipse-temurin:25").contains("libbpf1").contains("EXPOSE " + port);
    for (String line : dockerfile.lines().filter(l -> l.startsWith("COPY ")).toList()) {
      String source = line.split(" ")[1];
      if (!source.startsWith("exporter/target")) {
        assertThat(HOME.resolve(source)).as(line).exists();
      }
    }
    Config.parse(Inputs.yaml().readValue(Files.readString(HOME.resolve("packaging/docker/bpfmap.yaml")), Object.class));

    JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper().readTree(HOME.resolve("packaging/docker/grafana/dashboards/bpfmap-flows.json").toFile());
    String exprs = dashboard.findValuesAsText("expr").toString();
    assertThat(exprs).contains("bpfmap_flows_packets_total", "bpfmap_flows_bytes_total", "bpfmap_kafka_records_sent_total");
    assertThat(yaml(HOME.resolve("packaging/docker/grafana/provisioning/dashboards/bpfmap.yml")).toString())
        .contains("/var/lib/grafana/dashboards");
  }
}
