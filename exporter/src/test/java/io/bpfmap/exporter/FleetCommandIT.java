package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpfmap fleet} beside {@code bpfmap export}, both from one config: the daemon exports a
 * real map, the fleet table serves it and its sums over HTTP, and a node whose heartbeats stop
 * drops out; a bad {@code fleet:} section is one line and exit 2.
 */
@KernelTest
class FleetCommandIT {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"dport\",\"I\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  private static final long SECRET = 7_310_982_546_119_283_331L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theFleetTableServesWhatTheDaemonExports(PinDir pins, @TempDir Path tmp) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "fleetcli", KEY.size(), VALUE.size(), 64))) {
      map.pin(pins.resolve("fleetcli"));
      ParsedMap p = map.parsed(KEY, VALUE);
      long[] perPort = new long[2];
      for (int i = 0; i < 20; i++) {
        p.update(Map.of("saddr", i, "dport", i % 2 == 0 ? 80 : 443), Map.of("bytes", 100L * i, "secret", SECRET));
        perPort[i % 2] += 100L * i;
      }
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: web-1
          maps:
            - {name: flows, pin: %s, key: {saddr: I, dport: I}, value: {bytes: Q, secret: Q}, mask: {bytes: R},
               mode: changes, interval: 200ms}
          sinks:
            kafka: {bootstrap-servers: "%s", heartbeat-interval: 1s}
          fleet:
            listen: 127.0.0.1:0
            state-dir: %s
            aggregates:
              - {name: bytes_by_dport, map: flows, by: [dport], sum: [bytes]}
          """.formatted(pins.resolve("fleetcli"), kafka.bootstrapServers(), tmp.resolve("fleet-state")));
      Path daemonLog = tmp.resolve("daemon.log");
      Path fleetLog = tmp.resolve("fleet.log");
      Process daemon = Cli.startLogged(daemonLog, "export", "--config", cfg.toString());
      Process fleet = Cli.startLogged(fleetLog, "fleet", "--config", cfg.toString());
      try {
        Pattern started = Pattern.compile("fleet table of \\[flows] on port (\\d+)");
        Await.until(() -> started.matcher(read(fleetLog)).find());
        Matcher m = started.matcher(read(fleetLog));
        assertThat(m.find()).isTrue();
        int port = Integer.parseInt(m.group(1));
        Await.until(() -> size(Cli.get(port, "/fleet/maps/flows")) == 20);
        String groups = "[{\"group\":{\"dport\":80},\"entries\":10,\"nodes\":1,\"sums\":{\"bytes\":"
            + perPort[0] + "}},{\"group\":{\"dport\":443},\"entries\":10,\"nodes\":1,\"sums\":{\"bytes\":" + perPort[1]
            + "}}]";
        // the sums pass through a repartition topic: they follow the entries a moment later
        Await.until(() -> Cli.get(port, "/fleet/aggregates/bytes_by_dport").equals(groups));
        String one = Cli.get(port, "/fleet/maps/flows/entry?node=web-1&key=%7B%22saddr%22%3A3%2C%22dport%22%3A443%7D");
        assertThat(JSON.readTree(one).get("value").toString()).isEqualTo("{\"bytes\":300,\"secret\":null}");
        String metrics = Cli.get(port, "/metrics");
        assertThat(metrics).contains("bpfmap_fleet_bytes_by_dport_bytes{dport=\"443\"} " + perPort[1] + "\n",
            "bpfmap_fleet_nodes{state=\"live\"} 1\n");
        for (String body : new String[] {Cli.get(port, "/fleet/maps/flows"), metrics, read(fleetLog)}) {
          assertThat(body).doesNotContain(Long.toString(SECRET)).doesNotContain(Long.toHexString(SECRET));
        }
        // a change in the map reaches the table
        p.update(Map.of("saddr", 3, "dport", 443), Map.of("bytes", 5L, "secret", SECRET));
        Await.until(() -> Cli.get(port, "/fleet/maps/flows/entry?node=web-1&key=%7B%22saddr%22%3A3%2C%22dport%22%3A443%7D")
            .contains("\"bytes\":5,"));
        // the node stops: after 3 heartbeat intervals it leaves every answer
        daemon.destroy();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Await.until(() -> size(Cli.get(port, "/fleet/maps/flows")) == 0);
        assertThat(Cli.get(port, "/fleet/aggregates/bytes_by_dport")).isEqualTo("[]");
        assertThat(Cli.get(port, "/fleet/nodes")).contains("\"node\":\"web-1\",\"live\":false");
        fleet.destroy();
        assertThat(fleet.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(fleet.exitValue()).as(read(fleetLog)).isZero();
        assertThat(read(fleetLog)).contains("stopped");
      } finally {
        daemon.destroyForcibly();
        fleet.destroyForcibly();
      }
    }
  }

  @Test
  void aBadFleetSectionIsOneLineAndExit2(PinDir pins, @TempDir Path tmp) throws Exception {
    String base = """
        maps:
          - {name: flows, pin: /sys/fs/bpf/none, key: {id: I}, value: {n: Q}, mode: changes}
          - {name: snap, pin: /sys/fs/bpf/none2, key: {id: I}, value: {n: Q}}
        sinks:
          kafka: {bootstrap-servers: "127.0.0.1:1"%s}
        fleet:
        %s
        """;
    Map<String, String> cases = Map.of(
        "  aggregates: [{name: x, map: nope, by: [id]}]",
        "fleet.aggregates[0].map: 'nope' is not in the fleet table (its maps are [flows])",
        "  aggregates: [{name: 1x, map: flows, by: [id]}]",
        "fleet.aggregates[0]: a name is letters, digits and _, not starting with a digit",
        "  aggregates: [{name: x, map: flows, by: [id]}, {name: x, map: flows, by: [id]}]",
        "fleet.aggregates[1].name: 'x' is taken by another aggregate",
        "  listen: nowhere", "fleet.listen: 'nowhere' is not HOST:PORT",
        "  expiry: soon", "fleet.expiry: ",
        "  lisen: 1.2.3.4:5", "fleet.lisen: unknown key",
        "  streams: {commit.interval.ms: lots}", "fleet.streams: Kafka Streams refuses the settings: Invalid value lots for configuration "
            + "commit.interval.ms: Not a number of type LONG",
        "  streams: {state.dir: /x}", "fleet.streams: Kafka Streams setting state.dir is the fleet table's own: set it through "
            + "the table (application id, bootstrap servers, advertise, state dir, threads)",
        "  advertise: here", "fleet.advertise: 'here' is not HOST:PORT",
        "  maps: [snap]", "fleet.maps[0]: map 'snap' is exported in snapshot mode, whose records do not say what its "
            + "node deleted: the table would keep it; export it with mode: changes");
    int i = 0;
    for (var c : cases.entrySet()) {
      Path cfg = Files.writeString(tmp.resolve("bad" + i++ + ".yaml"), base.formatted("", c.getKey()));
      Cli.Result r = Cli.run("fleet", "--config", cfg.toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).startsWith("bpfmap: " + cfg + ": " + c.getValue()).doesNotContain("\n").doesNotContain("\tat ");
    }
    Path away = Files.writeString(tmp.resolve("away.yaml"), base.formatted(", connect-timeout: 1s", "  expiry: 30s"));
    Cli.Result noKafka = Cli.run("fleet", "--config", away.toString());
    assertThat(noKafka.exit()).isEqualTo(2);
    assertThat(noKafka.err()).isEqualTo("bpfmap: kafka at 127.0.0.1:1 is not reachable within 1s");
    Cli.Result badAdvertise = Cli.run("fleet", "--config", away.toString(), "--advertise", "nowhere");
    assertThat(badAdvertise.exit()).isEqualTo(2);
    assertThat(badAdvertise.err()).isEqualTo("bpfmap: --advertise: 'nowhere' is not HOST:PORT");
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int size(String json) {
    try {
      return json.isEmpty() ? -1 : JSON.readTree(json).size();
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
