package io.bpfmap.fleet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Many nodes' exports of a map {@code flows} (key {@code {saddr, dport}}, value
 * {@code {bytes, packets}}), written as bpfmap's sink writes them (records.schema.json; the test
 * validates samples) through one producer: each node's map is a model, each cycle sends its
 * changes framed by markers, deletes are a d record and (unless the node turned them off) a
 * tombstone, and heartbeats go to their own topic.
 */
final class SimulatedFleet implements AutoCloseable {
  static final int[] PORTS = {22, 53, 80, 443, 8080};

  /** One simulated node: its map, cycle and whether it sends tombstones. */
  static final class Node {
    final String name;
    final Map<String, long[]> map = new TreeMap<>();  // key JSON -> {bytes, packets}
    long cycle;
    long mapId;
    boolean tombstones = true;

    Node(String name, long mapId) {
      this.name = name;
      this.mapId = mapId;
    }
  }

  private final KafkaProducer<byte[], byte[]> producer;
  private final java.util.function.Function<String, String> topicOf;
  private final String heartbeats;
  private final Random random = new Random(42);
  final Map<String, Node> nodes = new LinkedHashMap<>();
  /** The nodes that send heartbeats. */
  final Set<String> beating = ConcurrentHashMap.newKeySet();
  /** Every record sent, by kind, for the schema check: the first of each. */
  final Map<String, byte[][]> samples = new ConcurrentHashMap<>();

  SimulatedFleet(String bootstrap, String topic, String heartbeats) {
    this(bootstrap, node -> topic, heartbeats);
  }

  /** Each node to its own topic, as {@code sinks.kafka.topic: "….{node}.{map}"} makes them. */
  SimulatedFleet(String bootstrap, java.util.function.Function<String, String> topicOf, String heartbeats) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.topicOf = topicOf;
    this.heartbeats = heartbeats;
  }

  Node add(String name) {
    Node n = new Node(name, 1000 + nodes.size());
    nodes.put(name, n);
    beating.add(name);
    return n;
  }

  /** A node another sender exports (a real sink): modelled here, sent by it. */
  Node addExternal(String name) {
    Node n = new Node(name, 0);
    nodes.put(name, n);
    return n;
  }

  String randomKey() {
    return "{\"saddr\":" + (0x0A000000L + random.nextInt(5000)) + ",\"dport\":" + PORTS[random.nextInt(PORTS.length)]
        + "}";
  }

  long[] randomValue() {
    return new long[] {1 + random.nextInt(1_000_000), 1 + random.nextInt(1000)};
  }

  Random random() {
    return random;
  }

  /**
   * One cycle of a node whose map changed: {@code upserts} are set (c for new keys, u for known
   * ones), {@code deletes} go.
   */
  void cycle(Node n, Map<String, long[]> upserts, List<String> deletes) {
    n.cycle++;
    long now = System.currentTimeMillis();
    String topic = topicOf.apply(n.name);
    send(topic, "marker", markerKey(n), marker(n, now, "begin"));
    for (Map.Entry<String, long[]> e : upserts.entrySet()) {
      String op = n.map.containsKey(e.getKey()) ? "u" : "c";
      n.map.put(e.getKey(), e.getValue());
      send(topic, "entry", key(n, e.getKey()), value(n, now, e.getKey(), e.getValue(), op));
    }
    for (String k : deletes) {
      if (n.map.remove(k) != null) {
        send(topic, "delete", key(n, k), value(n, now, k, null, "d"));
        if (n.tombstones) {
          send(topic, "tombstone", key(n, k), null);
        }
      }
    }
    send(topic, "marker", markerKey(n), marker(n, now, "end"));
  }

  /** A restart: a new kernel map id and cycles from 0 again; what it sends next is the diff. */
  void restart(Node n) {
    n.cycle = 0;
    n.mapId += 10_000;
  }

  void heartbeats() {
    long now = System.currentTimeMillis();
    for (String name : beating) {
      Node n = nodes.get(name);
      byte[] key = ("{\"node\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
      byte[] value = ("{\"node\":\"" + name + "\",\"timestamp\":" + now + ",\"interval_ms\":1000,\"maps\":{\"flows\":"
          + "{\"cycle\":" + n.cycle + "}}}").getBytes(StandardCharsets.UTF_8);
      RecordHeaders h = new RecordHeaders();
      h.add("bpfmap.kind", "HEARTBEAT".getBytes(StandardCharsets.UTF_8));
      samples.putIfAbsent("heartbeat", new byte[][] {key, value});
      producer.send(new ProducerRecord<>(heartbeats, null, now, key, value, h));
    }
  }

  void flush() {
    producer.flush();
  }

  private void send(String topic, String kind, byte[] key, byte[] value) {
    samples.putIfAbsent(kind, new byte[][] {key, value});
    producer.send(new ProducerRecord<>(topic, key, value));
  }

  private static byte[] key(Node n, String key) {
    return ("{\"node\":\"" + n.name + "\",\"map\":\"flows\",\"key\":" + key + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] markerKey(Node n) {
    return ("{\"node\":\"" + n.name + "\",\"map\":\"flows\",\"marker\":\"cycle\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static String source(Node n) {
    return "\"source\":{\"node\":\"" + n.name + "\",\"map\":\"flows\",\"map_id\":" + n.mapId
        + ",\"target\":\"/sys/fs/bpf/flows\",\"key_layout\":\"k1\",\"value_layout\":\"v1\",\"mode\":\"changes\","
        + "\"cycle\":" + n.cycle + "}";
  }

  private static byte[] value(Node n, long now, String key, long[] v, String op) {
    String value = v == null ? "null" : "{\"bytes\":" + v[0] + ",\"packets\":" + v[1] + "}";
    return ("{\"node\":\"" + n.name + "\",\"map\":\"flows\",\"cycle\":" + n.cycle + ",\"timestamp\":" + now
        + ",\"key\":" + key + ",\"value\":" + value + ",\"op\":\"" + op + "\"," + source(n) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] marker(Node n, long now, String which) {
    return ("{\"node\":\"" + n.name + "\",\"map\":\"flows\",\"cycle\":" + n.cycle + ",\"timestamp\":" + now
        + ",\"op\":\"m\",\"marker\":\"" + which + "\"," + source(n) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** The live nodes' entries, as {@code node|key JSON -> value JSON}. */
  Map<String, String> expected(Set<String> live) {
    Map<String, String> out = new HashMap<>();
    for (Node n : nodes.values()) {
      if (live.contains(n.name)) {
        n.map.forEach((k, v) -> out.put(n.name + "|" + k, "{\"bytes\":" + v[0] + ",\"packets\":" + v[1] + "}"));
      }
    }
    return out;
  }

  /** Sums by port over the live nodes: port -> {entries, nodes, bytes, packets}. */
  Map<Integer, long[]> sumsByPort(Set<String> live) {
    Map<Integer, long[]> out = new TreeMap<>();
    for (Node n : nodes.values()) {
      if (!live.contains(n.name)) {
        continue;
      }
      Set<Integer> ports = new java.util.HashSet<>();
      for (Map.Entry<String, long[]> e : n.map.entrySet()) {
        int port = Integer.parseInt(e.getKey().replaceAll(".*\"dport\":(\\d+).*", "$1"));
        long[] s = out.computeIfAbsent(port, x -> new long[4]);
        s[0]++;
        s[2] += e.getValue()[0];
        s[3] += e.getValue()[1];
        if (ports.add(port)) {
          s[1]++;
        }
      }
    }
    return out;
  }

  List<String> names() {
    return new ArrayList<>(nodes.keySet());
  }

  @Override
  public void close() {
    producer.close();
  }
}
