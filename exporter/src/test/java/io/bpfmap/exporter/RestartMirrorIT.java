package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CHANGES export stopped, its map changed while it is away (keys deleted, changed, added), and
 * started again with its state directory: the compacted topic read as a table equals the map,
 * and the restart sent only the difference (counted in records), not the whole map again.
 */
@KernelTest
class RestartMirrorIT {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"I\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"secret\",\"Q\"]]");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int N = 1000;

  /** The topic as a table: key JSON to value JSON, tombstones removing their key. */
  private static Map<String, String> table(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
    Map<String, String> t = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = JSON.readTree(r.key()).get("key").toString();
      if (r.value() == null) {
        t.remove(key);
      } else {
        t.put(key, JSON.readTree(r.value()).get("value").toString());
      }
    }
    return t;
  }

  /** The map as the topic should hold it, from the test's own model of it (id to packets). */
  private static Map<String, String> expected(Map<Integer, Long> model) {
    Map<String, String> t = new HashMap<>();
    model.forEach((id, packets) -> t.put("{\"id\":" + id + "}", "{\"packets\":" + packets + ",\"secret\":null}"));
    return t;
  }

  /** A hash map pinned as {@code name}, ids 0..n-1 with packets = id. */
  private static BpfMap pinned(PinDir pins, String name, int n) {
    BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, name, KEY.size(), VALUE.size(), 64));
    map.pin(pins.resolve(name));
    ParsedMap p = map.parsed(KEY, VALUE);
    for (int i = 0; i < n; i++) {
      p.update(Map.of("id", i), Map.of("packets", (long) i, "secret", 7L));
    }
    return map;
  }

  /** {@code tmp/NODE.yaml}: node {@code node} exports the pinned map {@code map} in CHANGES mode to Kafka. */
  private static Path nodeConfig(Path tmp, String node, PinDir pins, String map, EmbeddedKafka kafka, String kafkaMore)
      throws Exception {
    return Files.writeString(tmp.resolve(node + ".yaml"), """
        node: %s
        maps:
          - {name: %s, pin: %s, key: {id: I}, value: {packets: Q, secret: Q}, mode: changes, interval: 200ms}
        sinks:
          kafka: {bootstrap-servers: "%s"%s}
        """.formatted(node, map, pins.resolve(map), kafka.bootstrapServers(), kafkaMore));
  }

  private static Process daemon(Path cfg, Path log) throws Exception {
    return Cli.startLogged(log, "export", "--config", cfg.toString());
  }

  private static String stop(Process daemon, Path log) throws Exception {
    daemon.destroy();
    assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String said = Files.readString(log);
    assertThat(daemon.exitValue()).as(said).isZero();
    return said;
  }

  @Test
  void aRestartSendsOnlyWhatChangedAndTombstonesWhatWentWhileAway(PinDir pins, @TempDir Path tmp) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "mirror", KEY.size(), VALUE.size(), 4 * N))) {
      map.pin(pins.resolve("mirror"));
      ParsedMap p = map.parsed(KEY, VALUE);
      Map<Integer, Long> model = new HashMap<>();
      for (int i = 0; i < N; i++) {
        p.update(Map.of("id", i), Map.of("packets", (long) i, "secret", 7L));
        model.put(i, (long) i);
      }
      Path cfg = Files.writeString(tmp.resolve("bpfmap.yaml"), """
          node: n1
          state-dir: %s
          maps:
            - name: mirror
              pin: %s
              key: {id: I}
              value: {packets: Q, secret: Q}
              mask: {packets: R}
              mode: changes
              interval: 200ms
          sinks:
            kafka: {bootstrap-servers: "%s"}
          """.formatted(tmp.resolve("state"), pins.resolve("mirror"), kafka.bootstrapServers()));
      Process first = daemon(cfg, tmp.resolve("first.log"));
      Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.mirror", 0).size() >= N);
      String firstLog = stop(first, tmp.resolve("first.log"));
      assertThat(firstLog).contains("map 'mirror': Kafka holds 0 of its keys", "map 'mirror': " + N
          + " keys Kafka holds saved to " + tmp.resolve("state/mirror.changes"));
      int before = KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.mirror", N).size();
      assertThat(before).as("the first start sends every entry once").isEqualTo(N);

      // while the daemon is away: 10 keys deleted, 10 changed, 10 added, 10 changed in a hidden field only
      for (int i = 0; i < 10; i++) {
        p.delete(Map.of("id", i));
        model.remove(i);
        p.update(Map.of("id", 100 + i), Map.of("packets", 1_000_000L + i, "secret", 7L));
        model.put(100 + i, 1_000_000L + i);
        p.update(Map.of("id", N + i), Map.of("packets", 5L, "secret", 7L));
        model.put(N + i, 5L);
        p.update(Map.of("id", 200 + i), Map.of("packets", 200L + i, "secret", 8L));
      }
      Process second = daemon(cfg, tmp.resolve("second.log"));
      Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.mirror", 0).size() >= before + 30);
      Thread.sleep(1000);  // a few more cycles: nothing more to send
      String secondLog = stop(second, tmp.resolve("second.log"));
      assertThat(secondLog).contains("map 'mirror': Kafka holds " + N + " of its keys");
      List<ConsumerRecord<byte[], byte[]>> all = KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.mirror", before + 30);
      int restartCost = all.size() - before;
      int records = KafkaTopics.read(kafka.bootstrapServers(), "bpfmap.mirror", 0).size();
      System.out.println("RestartMirrorIT: " + N + " keys, 30 changed while away; the restart sent " + restartCost
          + " entry records (" + all.stream().skip(before).filter(r -> r.value() == null).count() + " tombstones); "
          + records + " records in all, with the d records and the cycles' markers");
      assertThat(restartCost).as("10 tombstones, 10 changed, 10 new; nothing else").isEqualTo(30);
      assertThat(table(all)).isEqualTo(expected(model));
    }
  }

  @Test
  void retiringANodeTombstonesItsKeysAndLeavesTheOthers(PinDir pins, @TempDir Path tmp) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        BpfMap map = pinned(pins, "retire", 20)) {
      // two nodes export the same map into one topic, one after the other
      for (String node : List.of("n1", "n2")) {
        Path cfg = nodeConfig(tmp, node, pins, "retire", kafka, "");
        Process d = daemon(cfg, tmp.resolve(node + ".log"));
        int want = node.equals("n1") ? 20 : 40;
        Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.retire", 0).size() >= want);
        stop(d, tmp.resolve(node + ".log"));
      }
      Cli.Result r = Cli.run("retire", "--config", tmp.resolve("n1.yaml").toString(), "--node", "n1");
      assertThat(r.exit()).as(r.err()).isZero();
      // its 20 entries and its cycle marker (one key per node and map)
      assertThat(r.out()).isEqualTo("bpfmap.retire: 21 keys of node 'n1' tombstoned\n"
          + "bpfmap.heartbeats: 1 keys of node 'n1' tombstoned");
      List<ConsumerRecord<byte[], byte[]>> all = KafkaTopics.read(kafka.bootstrapServers(), "bpfmap.retire", 60);
      Map<String, Boolean> liveByNode = new HashMap<>();
      Map<String, byte[]> latest = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> rec : all) {
        latest.put(new String(rec.key(), java.nio.charset.StandardCharsets.UTF_8), rec.value());
      }
      latest.forEach((k, v) -> {
        try {
          String node = JSON.readTree(k).get("node").asText();
          liveByNode.merge(node + (v == null ? "-gone" : "-live"), true, (a, b) -> a);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      assertThat(liveByNode.keySet()).containsExactlyInAnyOrder("n1-gone", "n2-live");
      Cli.Result again = Cli.run("retire", "--config", tmp.resolve("n1.yaml").toString(), "--node", "n1");
      assertThat(again.out()).as("nothing left").isEqualTo("bpfmap.retire: 0 keys of node 'n1' tombstoned\n"
          + "bpfmap.heartbeats: 0 keys of node 'n1' tombstoned");
    }
  }

  @Test
  void nodesWhoseHeartbeatsStoppedAreRetiredAfterTheExpiry(PinDir pins, @TempDir Path tmp) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        BpfMap map = pinned(pins, "expiry", 5)) {
      Path dead = nodeConfig(tmp, "dead", pins, "expiry", kafka, ", heartbeat-interval: 1s");
      Process d = daemon(dead, tmp.resolve("dead.log"));
      Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.expiry", 0).size() >= 5);
      stop(d, tmp.resolve("dead.log"));
      Thread.sleep(4000);  // the dead node's last heartbeat is 4 s old; the live one beats every second
      Path live = nodeConfig(tmp, "live", pins, "expiry", kafka, ", heartbeat-interval: 1s");
      Process l = daemon(live, tmp.resolve("live.log"));
      try {
        Await.until(() -> KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.expiry", 0).size() >= 10);
        Cli.Result r = Cli.run("retire", "--config", live.toString(), "--expired", "3s");
        assertThat(r.exit()).as(r.err()).isZero();
        // its 5 entries and its cycle marker, then its heartbeat
        assertThat(r.out()).isEqualTo("1 nodes sent no heartbeat in 3s: dead\n"
            + "bpfmap.expiry: 6 keys of node 'dead' tombstoned\n"
            + "bpfmap.heartbeats: 1 keys of node 'dead' tombstoned");
      } finally {
        stop(l, tmp.resolve("live.log"));
      }
      Cli.Result none = Cli.run("retire", "--config", live.toString());
      assertThat(none.exit()).isEqualTo(2);
      assertThat(none.err()).isEqualTo("bpfmap: retire: give --node NODE or --expired DURATION (one of them)");
    }
  }
}
