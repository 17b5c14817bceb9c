package io.bpfmap.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import io.bpfmap.kafka.broker.testing.KafkaTest;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The fleet table against a fleet of 1 000 node identities on a real broker: 998 simulated (one
 * producer, bpfmap's record format, checked against the published schema) and 2 real nodes whose
 * BPF maps a {@link KafkaSink} exports. The nodes churn (updates, deletes with and without
 * tombstones, new keys), 100 restart with new map ids, and 10 die. The table must equal the union
 * of the live nodes' maps, the dead must leave after their expiry, and the aggregate must equal the
 * sums computed here; with one instance, and with two sharing the work.
 */
@KafkaTest
class FleetSimulationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"dport\",\"I\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"bytes\",\"Q\"],[\"packets\",\"Q\"]]");
  private static final Duration EXPIRY = Duration.ofSeconds(6);
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final FleetAggregate BY_PORT = new FleetAggregate("bytes_by_dport", "flows", List.of("dport"),
      List.of("bytes", "packets"));
  private final HttpClient http = HttpClient.newHttpClient();

  private static FleetTable table(EmbeddedKafka kafka, String name, Path state, List<FleetAggregate> aggregates)
      throws Exception {
    FleetTableBuilder b = FleetTable.builder().bootstrapServers(kafka.bootstrapServers()).topics(List.of(name + ".flows"))
        .heartbeatTopic(name + ".heartbeats").expiry(EXPIRY).applicationId(name + "-table")
        .stateDir(Files.createDirectories(state)).listen(new InetSocketAddress("127.0.0.1", 0));
    aggregates.forEach(b::aggregate);
    return b.build();
  }

  @Test
  void oneInstanceHoldsTheLiveFleet(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    simulate(kafka, dir, 1, "fleet1");
  }

  @Test
  void twoInstancesShareTheFleetAndAnswerForAllOfIt(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    simulate(kafka, dir, 2, "fleet2");
  }

  @Test
  void aMissingTopicOrATakenPortIsOneLine(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("fleet0.flows", 1, (short) 1), new NewTopic("fleet0.conns", 2, (short) 1)))
          .all().get();
    }
    FleetTableBuilder b = FleetTable.builder().bootstrapServers(kafka.bootstrapServers()).stateDir(dir)
        .listen(new InetSocketAddress("127.0.0.1", 0));
    try (FleetTable t = b.topics(List.of("fleet0.flows", "fleet0.nothing")).heartbeatTopic("fleet0.flows").build()) {
      assertThatThrownBy(t::start).hasMessage("topic 'fleet0.nothing' does not exist at " + kafka.bootstrapServers()
          + ": start a node that exports to it, or create it");
    }
    try (FleetTable t = b.topics(List.of("fleet0.flows")).heartbeatTopic("fleet0.beats").build()) {
      assertThatThrownBy(t::start).hasMessage("topic 'fleet0.beats' does not exist at " + kafka.bootstrapServers()
          + " (the heartbeat topic): start a node that exports to it, or create it");
    }
    try (FleetTable t = b.topics(List.of("fleet0.flows", "fleet0.conns")).heartbeatTopic("fleet0.flows").build()) {
      assertThatThrownBy(t::start).hasMessage("the map topics differ in partitions (['fleet0.flows' has 1, "
          + "'fleet0.conns' has 2]): give them one count, or run one table per count");
    }
    try (FleetTable t = b.topicPattern(java.util.regex.Pattern.compile("nothing\\..*")).topics(List.of())
        .heartbeatTopic("fleet0.flows").build()) {
      assertThatThrownBy(t::start).hasMessage("no topic at " + kafka.bootstrapServers() + " matches nothing\\..*: start a "
          + "node first (it creates its topic), or create one");
    }
    b.topicPattern(null);
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        FleetTable t = b.topics(List.of("fleet0.flows")).heartbeatTopic("fleet0.flows").listen(new InetSocketAddress("127.0.0.1", taken.getLocalPort()))
            .build()) {
      assertThatThrownBy(t::start).hasMessage("cannot listen on /127.0.0.1:" + taken.getLocalPort() + ": the port is taken");
    }
  }

  /** A topic per node ({@code {node}} in the nodes' topic pattern): the table takes each node's topic as it appears. */
  @Test
  void topicsByPatternTakeNodesAsTheyCreateTheirTopics(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("pat.n1.flows", 3, (short) 1), new NewTopic("pat.beats", 1, (short) 1)))
          .all().get();
      try (SimulatedFleet fleet = new SimulatedFleet(kafka.bootstrapServers(), n -> "pat." + n + ".flows", "pat.beats");
          FleetTable t = FleetTable.builder().bootstrapServers(kafka.bootstrapServers())
              .topicPattern(java.util.regex.Pattern.compile("pat\\.[^.]+\\.flows")).heartbeatTopic("pat.beats")
              .expiry(Duration.ofMinutes(5)).applicationId("pattern-table").stateDir(dir)
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .streamsProperties(Map.of("main.consumer.metadata.max.age.ms", "500")).build()) {
        SimulatedFleet.Node n1 = fleet.add("n1");
        fleet.cycle(n1, Map.of(fleet.randomKey(), fleet.randomValue(), fleet.randomKey(), fleet.randomValue()), List.of());
        fleet.heartbeats();
        fleet.flush();
        t.start();
        t.awaitRunning(Duration.ofSeconds(60));
        converge(List.of(t), () -> fleet.expected(Set.of("n1")));
        // a new node makes its topic after the table started
        admin.createTopics(List.of(new NewTopic("pat.n2.flows", 3, (short) 1))).all().get();
        SimulatedFleet.Node n2 = fleet.add("n2");
        fleet.cycle(n2, Map.of(fleet.randomKey(), fleet.randomValue()), List.of());
        fleet.heartbeats();
        fleet.flush();
        converge(List.of(t), () -> fleet.expected(Set.of("n1", "n2")));
      }
    }
  }

  private void simulate(EmbeddedKafka kafka, Path dir, int instances, String name) throws Exception {
    String topic = name + ".flows";
    String heartbeats = name + ".heartbeats";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1).configs(Map.of("cleanup.policy", "compact")),
          new NewTopic(heartbeats, 2, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
    }
    List<FleetTable> tables = new ArrayList<>();
    ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
    List<BpfMap> realMaps = new ArrayList<>();
    List<KafkaSink> sinks = new ArrayList<>();
    List<KafkaExport> exports = new ArrayList<>();
    try (SimulatedFleet fleet = new SimulatedFleet(kafka.bootstrapServers(), topic, heartbeats)) {
      for (int i = 0; i < instances; i++) {
        FleetTable t = table(kafka, name, dir.resolve("state" + i), List.of(BY_PORT));
        tables.add(t);
        t.start();
      }
      for (FleetTable t : tables) {
        t.awaitRunning(Duration.ofSeconds(60));
      }
      // two real nodes: BPF maps exported by the sink, heartbeats by the sink
      Map<String, ParsedMap> real = new TreeMap<>();
      for (int r = 1; r <= 2; r++) {
        BpfMap m = BpfMap.create(MapSpec.of(MapType.HASH, "t_fleet" + r, KEY.size(), VALUE.size(), 64));
        realMaps.add(m);
        ParsedMap p = m.parsed(KEY, VALUE);
        real.put("real-" + r, p);
        fleet.addExternal("real-" + r);
        for (int k = 0; k < 5; k++) {
          put(fleet, real, "real-" + r, 0x0B000000L + k, SimulatedFleet.PORTS[k], 1000L * (k + r), k + r);
        }
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("real-" + r)
            .topic(name + ".{map}").build();
        sinks.add(sink);
        exports.add(sink.export(MapStream.builder(m).name("flows").keyLayout(KEY).valueLayout(VALUE)
            .mode(Mode.CHANGES).interval(Duration.ofMillis(200)).timer(Schedulers.parallel()).build()));
      }
      for (int i = 0; i < 998; i++) {
        SimulatedFleet.Node n = fleet.add(String.format("node-%04d", i));
        n.tombstones = i % 20 != 0;  // one in twenty sends d records alone
        Map<String, long[]> keys = new HashMap<>();
        for (int k = 3 + fleet.random().nextInt(10); k > 0; k--) {
          keys.put(fleet.randomKey(), fleet.randomValue());
        }
        fleet.cycle(n, keys, List.of());
      }
      Runnable beatAll = () -> {
        fleet.heartbeats();
        sinks.forEach(s -> s.heartbeat(heartbeats, Duration.ofSeconds(1), Map.of("flows", 1L)));
      };
      beatAll.run();
      beat.scheduleAtFixedRate(beatAll, 1, 1, TimeUnit.SECONDS);
      fleet.flush();

      Set<String> everyone = new HashSet<>(fleet.names());
      converge(tables, () -> fleet.expected(everyone));

      // churn: 300 nodes change, delete and add keys; 100 of them restart first
      List<String> names = fleet.names().stream().filter(n -> !real.containsKey(n)).toList();
      for (int i = 0; i < 300; i++) {
        SimulatedFleet.Node n = fleet.nodes.get(names.get(fleet.random().nextInt(names.size())));
        if (i < 100) {
          fleet.restart(n);
        }
        List<String> known = new ArrayList<>(n.map.keySet());
        Map<String, long[]> upserts = new HashMap<>();
        upserts.put(known.get(0), fleet.randomValue());
        upserts.put(fleet.randomKey(), fleet.randomValue());
        fleet.cycle(n, upserts, known.size() > 1 ? List.of(known.get(1)) : List.of());
      }
      real.get("real-1").delete(Map.of("saddr", 0x0B000000L, "dport", 22));
      fleet.nodes.get("real-1").map.remove("{\"saddr\":" + 0x0B000000L + ",\"dport\":22}");
      put(fleet, real, "real-2", 0x0B000001L, 53, 77, 7);
      // ten nodes die: no more heartbeats, and their records stay in the topic
      List<String> dead = names.subList(500, 510);
      fleet.beating.removeAll(dead);
      fleet.flush();
      Set<String> live = new HashSet<>(everyone);
      dead.forEach(live::remove);
      converge(tables, () -> fleet.expected(live));

      for (FleetTable t : tables) {
        // the aggregate equals the sums by hand, over live nodes only
        Map<Integer, long[]> sums = fleet.sumsByPort(live);
        Map<Integer, List<Long>> byHand = new TreeMap<>();
        sums.forEach((port, s) -> byHand.put(port, List.of(s[0], s[1], s[2], s[3])));
        Map<Integer, List<Long>> got = new TreeMap<>();
        for (FleetGroup g : t.aggregate("bytes_by_dport")) {
          got.put(g.group().get("dport").asInt(), List.of(g.entries(), (long) g.nodes(),
              g.sums().get("bytes").longValueExact(), g.sums().get("packets").longValueExact()));
        }
        assertThat(got).isEqualTo(byHand);
        // the same over HTTP, as JSON and on /metrics
        JsonNode groups = JSON.readTree(get(t, "/fleet/aggregates/bytes_by_dport").body());
        assertThat(groups.size()).isEqualTo(byHand.size());
        String metrics = get(t, "/metrics").body();
        long[] s443 = sums.get(443);
        assertThat(metrics).contains("bpfmap_fleet_bytes_by_dport_bytes{dport=\"443\"} " + s443[2] + "\n")
            .contains("bpfmap_fleet_bytes_by_dport_entries{dport=\"443\"} " + s443[0] + "\n")
            .contains("bpfmap_fleet_nodes{state=\"live\"} " + live.size() + "\n")
            .contains("bpfmap_fleet_nodes{state=\"expired\"} 10\n").contains("bpfmap_fleet_up 1\n")
            .contains("kafka_stream");
        // nodes: the dead are listed as silent
        JsonNode nodes = JSON.readTree(get(t, "/fleet/nodes").body());
        List<String> silent = new ArrayList<>();
        nodes.forEach(n -> {
          if (!n.get("live").asBoolean()) {
            silent.add(n.get("node").asText());
          }
        });
        assertThat(silent).containsExactlyInAnyOrderElementsOf(dead);
        // point queries, wherever the key lives: a live node's record, none of a dead node's
        SimulatedFleet.Node someone = fleet.nodes.get(names.get(7));
        String key = someone.map.keySet().iterator().next();
        HttpResponse<String> one = get(t, "/fleet/maps/flows/entry?node=" + someone.name + "&key=" + enc(key));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).get("value").get("bytes").asLong()).isEqualTo(someone.map.get(key)[0]);
        String deadKey = fleet.nodes.get(dead.get(0)).map.keySet().iterator().next();
        HttpResponse<String> none = get(t, "/fleet/maps/flows/entry?node=" + dead.get(0) + "&key=" + enc(deadKey));
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("no record of key " + deadKey
            + " of node '" + dead.get(0) + "' in map 'flows' (or the node is not live; a key's fields go in layout order, "
            + "and a per-CPU record needs cpu=)");
        for (String k : someone.map.keySet()) {
          JsonNode rec = t.entry("flows", someone.name, JSON.readTree(k), null).orElseThrow();
          assertThat(rec.get("value").get("packets").asLong()).isEqualTo(someone.map.get(k)[1]);
        }
      }
      // bad queries: one line each
      FleetTable first = tables.get(0);
      assertThat(error(first, "/fleet/maps/flows/entry?node=x&key=%7Bnope", 400))
          .isEqualTo("key: '{nope' is not JSON (give the key as the records carry it, e.g. {\"dport\":443})");
      assertThat(error(first, "/fleet/maps/flows/entry?key=1", 400)).isEqualTo("node: required");
      assertThat(error(first, "/fleet/maps/flows/entry?node=x&key=443%20garbage", 400))
          .startsWith("key: '443 garbage' is not JSON");
      assertThat(error(first, "/fleet/aggregates/nope", 404))
          .isEqualTo("no aggregate 'nope' (there are [bytes_by_dport])");
      assertThat(error(first, "/fleet/what", 404)).isEqualTo("no such path: /fleet/what");
      assertThat(error(first, "/fleet/maps/flows/entry?node=x&key=1&cpu=two", 400)).isEqualTo("cpu: 'two' is not a CPU "
          + "number");
      if (instances == 2) {
        // the instances split the partitions between them, and each answers for all of them
        Set<Integer> a = partitions(tables.get(0));
        Set<Integer> b = partitions(tables.get(1));
        assertThat(a).isNotEmpty().doesNotContainAnyElementsOf(b);
        assertThat(b).isNotEmpty();
        assertThat(a.size() + b.size()).isEqualTo(6);
        // one leaves: the other takes its partitions and holds the whole fleet alone
        tables.remove(1).close();
        converge(tables, () -> fleet.expected(live));
        assertThat(partitions(tables.get(0))).hasSize(6);
      } else {
        // an aggregate added to a table that has run: computed from the topics' start, not from now on
        tables.remove(0).close();
        FleetAggregate byNode = new FleetAggregate("packets_by_node", "flows", List.of("node"), List.of("packets"));
        FleetTable again = table(kafka, name, dir.resolve("state0"), List.of(BY_PORT, byNode));
        tables.add(again);
        again.start();
        again.awaitRunning(Duration.ofSeconds(60));
        Map<String, List<Long>> byHand = new TreeMap<>();
        fleet.nodes.values().stream().filter(n -> live.contains(n.name) && !n.map.isEmpty()).forEach(n -> byHand.put(
            n.name, List.of((long) n.map.size(), n.map.values().stream().mapToLong(v -> v[1]).sum())));
        long end = System.nanoTime() + CONVERGE.toNanos();
        Map<String, List<Long>> got = Map.of();
        while (System.nanoTime() < end && !got.equals(byHand)) {
          got = new TreeMap<>();
          for (FleetGroup g : again.aggregate("packets_by_node")) {
            got.put(g.group().get("node").asText(), List.of(g.entries(), g.sums().get("packets").longValueExact()));
          }
          Thread.sleep(200);
        }
        assertThat(got).hasSize(byHand.size()).isEqualTo(byHand);
      }
      // the simulated records are bpfmap's: each kind valid against the published schema
      for (var e : fleet.samples.entrySet()) {
        String kind = switch (e.getKey()) {
          case "marker" -> "marker";
          case "heartbeat" -> "heartbeat";
          default -> "map";
        };
        assertThat(errors(kind + "Key", e.getValue()[0])).as(e.getKey()).isEmpty();
        if (e.getValue()[1] != null) {
          assertThat(errors(kind + "Value", e.getValue()[1])).as(e.getKey()).isEmpty();
        }
      }
      assertThat(fleet.samples.keySet()).contains("entry", "delete", "tombstone", "marker", "heartbeat");
    } finally {
      beat.shutdownNow();
      exports.forEach(e -> e.stop(Duration.ofSeconds(10)));
      sinks.forEach(KafkaSink::close);
      realMaps.forEach(BpfMap::close);
      tables.forEach(FleetTable::close);
    }
  }

  /** Sets a key of a real node's BPF map, and of its model. */
  private static void put(SimulatedFleet fleet, Map<String, ParsedMap> real, String node, long saddr, int port,
      long bytes, long packets) {
    real.get(node).update(Map.of("saddr", saddr, "dport", port), Map.of("bytes", bytes, "packets", packets));
    fleet.nodes.get(node).map.put("{\"saddr\":" + saddr + ",\"dport\":" + port + "}", new long[] {bytes, packets});
  }

  /** Waits until every instance's view of map flows is the expected one, then checks it once more. */
  private void converge(List<FleetTable> tables, Supplier<Map<String, String>> expected) throws Exception {
    long end = System.nanoTime() + CONVERGE.toNanos();
    for (FleetTable t : tables) {
      Map<String, String> got = Map.of();
      while (System.nanoTime() < end) {
        got = view(t);
        if (got.equals(expected.get())) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(differences(got, expected.get())).isEmpty();
      // and over HTTP
      JsonNode all = JSON.readTree(get(t, "/fleet/maps/flows").body());
      assertThat(all.size()).isEqualTo(expected.get().size());
    }
  }

  /** Up to 10 keys whose record differs: missing, extra or another value. */
  private static List<String> differences(Map<String, String> got, Map<String, String> want) {
    Set<String> keys = new java.util.TreeSet<>(got.keySet());
    keys.addAll(want.keySet());
    return keys.stream().filter(k -> !java.util.Objects.equals(got.get(k), want.get(k)))
        .map(k -> k + ": " + got.get(k) + " where the nodes hold " + want.get(k)).limit(10).toList();
  }

  private static Map<String, String> view(FleetTable t) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode r : t.entries("flows", null)) {
      out.put(r.get("node").asText() + "|" + r.get("key"), r.get("value").toString());
    }
    return out;
  }

  private Set<Integer> partitions(FleetTable t) throws Exception {
    Set<Integer> out = new HashSet<>();
    JSON.readTree(get(t, "/fleet/local/entries?map=flows").body()).get("partitions").forEach(p -> out.add(p.asInt()));
    return out;
  }

  private String error(FleetTable t, String path, int status) throws Exception {
    HttpResponse<String> r = get(t, path);
    assertThat(r.statusCode()).as(path).isEqualTo(status);
    return JSON.readTree(r.body()).get("error").asText();
  }

  private HttpResponse<String> get(FleetTable t, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> errors(String def, byte[] json) throws Exception {
    try (InputStream in = KafkaSink.class.getResourceAsStream("records.schema.json")) {
      ObjectNode doc = (ObjectNode) JSON.readTree(in);
      doc.put("$ref", "#/$defs/" + def);
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(doc.toString())
          .validate(JSON.readTree(json)).stream().map(Object::toString).toList();
    }
  }
}
