package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on a map that carries BTF, found by its kernel name, with no layout in the config:
 * records and labels decoded by BTF (enums by name), and a map re-created by its program (a new
 * id under the same name) followed, logged and shown on /health.
 */
@KernelTest
class BtfExportIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Network order, as a program stores addresses: 10.0.0.1 is the number 0x0100000A here. */
  private static long addr(int hostOrder) {
    return Integer.toUnsignedLong(Integer.reverseBytes(hostOrder));
  }

  private static void fill(BpfMap map, long base) {
    ParsedMap flows = map.parsed();
    for (int i = 0; i < 3; i++) {
      flows.update(Map.of("saddr", addr(0x0A000001 + i), "daddr", addr(0x0A0000FE), "sport", 40000 + i, "dport", 443,
          "proto", 6), Map.of("packets", base + i, "bytes", (base + i) * 100, "verdict", i == 1 ? "DROP" : "PASS",
          "comm", "curl", "secret", 0x5EC2E7));
    }
  }

  @Test
  void aMapFoundByNameIsExportedByItsBtfAndFollowedWhenReCreated(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path obj = BpfPrograms.compile("flows");
    try (BpfObject first = BpfObject.open(obj)) {
      BpfMap old = first.map("btf_flows");
      fill(old, 10);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - kernel-name: btf_flows
              mask: {packets: R, bytes: R, verdict: R, comm: R}
              interval: 200ms
              labels: {saddr: ipv4, daddr: ipv4}
              metrics:
                - {field: packets, type: counter}
          sinks:
            prometheus: {listen: "127.0.0.1:%d"}
          """.formatted(port));
      Path log = tmp.resolve("daemon.log");
      Process daemon = Cli.start(log, "export", "--config", cfg.toString());
      int newId;
      try {
        String series = "bpfmap_btf_flows_packets_total{daddr=\"10.0.0.254\",dport=\"443\",proto=\"6\",saddr=\"10.0.0.2\","
            + "sport=\"40001\"}";
        Await.until(() -> Cli.get(port, "/metrics").contains(series + " 11.0"));
        try (BpfObject second = BpfObject.open(obj)) {
          BpfMap recreated = second.map("btf_flows");
          newId = recreated.info().id();
          fill(recreated, 500);
          first.close();
          Await.until(() -> Cli.get(port, "/metrics").contains(series + " 501.0"));
          JsonNode health = JSON.readTree(Cli.get(port, "/health")).get("maps").get("btf_flows");
          assertThat(health.get("status").asText()).isEqualTo("UP");
          assertThat(health.get("selector").asText()).isEqualTo("name:btf_flows");
          assertThat(health.get("mapId").asInt()).isEqualTo(newId);
          assertThat(health.get("note").asText()).isEqualTo("the map was replaced: name:btf_flows found map id " + newId
              + " instead of " + old.info().id());
        }
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = Files.readString(log);
      assertThat(daemon.exitValue()).as(err).isZero();
      assertThat(err).contains("map 'btf_flows': name:btf_flows now finds map id " + newId + " (was " + old.info().id()
          + "): the map was re-created; reopening");
    }
  }

  @Test
  void recordsPrintInTheShapeOfTheirCTypesWithHiddenFieldsNull(@TempDir Path tmp) throws Exception {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("flows"))) {
      BpfMap map = obj.map("btf_flows");
      fill(map, 1);
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          maps:
            - {name: flows, id: %d, mask: {packets: R, bytes: R, verdict: R, comm: R}, interval: 1h}
          sinks:
            stdout: true
          """.formatted(map.info().id()));
      Process daemon = Cli.startReading(tmp.resolve("daemon.log"), "export", "--config", cfg.toString());
      List<String> lines = new ArrayList<>();
      try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(daemon.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while (lines.size() < 3 && (line = out.readLine()) != null) {
          lines.add(line.replaceFirst("\"cycle\":\\d+", "\"cycle\":1"));
        }
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(lines).as(Files.readString(tmp.resolve("daemon.log"))).contains(
          "{\"map\":\"flows\",\"cycle\":1,\"kind\":\"UPSERT\",\"key\":{\"saddr\":" + addr(0x0A000002) + ",\"daddr\":" + addr(0x0A0000FE) + ","
              + "\"sport\":40001,\"dport\":443,\"proto\":6},\"value\":{\"packets\":2,\"bytes\":200,\"verdict\":\"DROP\","
              + "\"comm\":\"curl\",\"secret\":null}}");
      assertThat(String.join("\n", lines)).doesNotContain(Integer.toString(0x5EC2E7));
    }
  }

}
