package io.bpfmap.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.fleet.FleetAggregate;
import io.bpfmap.fleet.FleetGroup;
import io.bpfmap.fleet.FleetTable;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The fleet table ingesting {@link #NODES} nodes' maps of {@link #KEYS} keys each, in bpfmap's
 * record format, from a 6-partition topic of a local broker; against the reference, a plain
 * kafka-clients consumer reading the same topic into a hash map (what a hand-written consumer
 * does, without stores, changelog or aggregates). Two figures:
 * <ul>
 *   <li>ingest: records per second from the first send, the table running and waiting on an
 *       empty topic, until the last record of every partition answers a query, and until the
 *       aggregate counts every entry; the consumer likewise, its partitions assigned before the
 *       first send; each of {@link #ROUNDS} rounds (after one to warm up) on new topics. A
 *       consumer's run lasts about 0.5 s, where a collection or the broker's flush moved it up to
 *       2.3× between rounds, so each round's reference is the median of {@link #CONSUMER_RUNS}
 *       runs; the table goes first in every other round, so that neither side always follows
 *       the other's garbage;
 *   <li>latency: from the send of one changed record to its new value answering a point query,
 *       and to the aggregate's sum for its port changing by as much ({@link #CHANGES} changes,
 *       p50 and p99), against the consumer seeing the record.
 * </ul>
 */
final class FleetBench {
  private static final int NODES = 1000;
  private static final int KEYS = 100;
  private static final int PARTITIONS = 6;
  private static final int ROUNDS = 15;
  private static final int CONSUMER_RUNS = 3;
  private static final int CHANGES = 200;
  private static final String TOPIC = "fleet.flows";  // one per round: -0 (warm-up), -1…
  private static final String HEARTBEATS = "fleet.heartbeats";
  private static final ObjectMapper JSON = new ObjectMapper();

  private FleetBench() {}

  static void run() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("bpfmap-bench-fleet");
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("data"));
          KafkaSink beats = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).build();
          KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        beats.ensureTopic(HEARTBEATS, true);
        long now = System.currentTimeMillis();
        for (int n = 0; n <= NODES; n++) {  // node NODES sends the partitions' last records
          producer.send(new ProducerRecord<>(HEARTBEATS, ("{\"node\":\"" + node(n) + "\"}").getBytes(StandardCharsets.UTF_8),
              ("{\"node\":\"" + node(n) + "\",\"timestamp\":" + now + ",\"interval_ms\":10000,\"maps\":{}}")
                  .getBytes(StandardCharsets.UTF_8)));
        }
        List<int[]> ends = ends();
        long total = (long) NODES * KEYS + ends.size();
        List<Double> tableRps = new ArrayList<>();
        List<Double> aggRps = new ArrayList<>();
        List<Double> consumerRps = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {  // round 0 warms up
          String topic = TOPIC + "-" + round;
          try (KafkaSink topics = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).partitions(PARTITIONS)
              .build()) {  // each topic's partitions open on their leader before the first send
            topics.ensureTopic(topic, true);
            for (int run = 0; run < CONSUMER_RUNS; run++) {
              topics.ensureTopic(TOPIC + "-ref-" + round + "-" + run, true);
            }
          }
          double ref = round % 2 == 0 ? reference(kafka, producer, round, total) : 0;
          double rps;
          double aggregated;
          try (FleetTable table = table(kafka, topic, dir.resolve("state-" + round), "bench-fleet-" + round)) {
            table.start();
            table.awaitRunning(Duration.ofSeconds(60));
            long start = System.nanoTime();
            sendAll(producer, topic);
            for (int[] e : ends) {
              while (table.entry("flows", node(e[0]), key(e[1]), null).isEmpty()) {
                Thread.sleep(5);
              }
            }
            rps = total / ((System.nanoTime() - start) / 1e9);
            while (entries(table) < total) {
              Thread.sleep(20);
            }
            aggregated = total / ((System.nanoTime() - start) / 1e9);
          }
          if (round % 2 == 1) {
            ref = reference(kafka, producer, round, total);
          }
          if (round > 0) {
            consumerRps.add(ref);
            tableRps.add(rps);
            aggRps.add(aggregated);
          }
        }
        Bench.reportPaired("fleet.ingest." + NODES + "x" + KEYS, "table_rps", tableRps, "consumer_rps", consumerRps,
            "aggregate_rps=" + Bench.range(aggRps));
        latency(kafka, producer, dir);
      }
    } catch (Exception e) {
      throw new IllegalStateException("fleet benchmark failed: " + e.getMessage(), e);
    } finally {
      KafkaBench.delete(dir);
    }
  }

  /** A round's reference: the median of {@link #CONSUMER_RUNS} consumer runs, each on its own topic. */
  private static double reference(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, int round, long total) {
    List<Double> runs = new ArrayList<>();
    for (int run = 0; run < CONSUMER_RUNS; run++) {
      runs.add(consume(kafka, producer, TOPIC + "-ref-" + round + "-" + run, total));
    }
    return ReadBench.median(runs);
  }

  /** Change to query: each change sent alone, then point queries until its value answers. */
  private static void latency(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, Path dir) throws Exception {
    Random random = new Random(7);
    List<Double> table = new ArrayList<>();
    List<Double> aggregate = new ArrayList<>();
    List<Double> consumer = new ArrayList<>();
    long[][] bytes = new long[NODES][KEYS];  // what sendAll wrote
    for (int n = 0; n < NODES; n++) {
      for (int k = 0; k < KEYS; k++) {
        bytes[n][k] = k * 1500L + n;
      }
    }
    String topic = TOPIC + "-1";  // the first measured round's: every node's records in it
    try (FleetTable t = table(kafka, topic, dir.resolve("state-latency"), "bench-fleet-latency");
        KafkaConsumer<byte[], byte[]> c = consumer(kafka)) {
      t.start();
      t.awaitRunning(Duration.ofSeconds(60));
      c.subscribe(List.of(topic));
      while (c.assignment().size() < PARTITIONS) {
        c.poll(Duration.ofMillis(100));
      }
      c.seekToEnd(c.assignment());
      c.assignment().forEach(c::position);
      // warm-up and the table's catch-up: the last end record answers
      for (int[] e : ends()) {
        while (t.entry("flows", node(e[0]), key(e[1]), null).isEmpty()) {
          Thread.sleep(5);
        }
      }
      long total = (long) NODES * KEYS + ends().size();
      while (entries(t) < total) {
        Thread.sleep(20);
      }
      for (int i = 0; i < CHANGES; i++) {
        int n = random.nextInt(NODES);
        int k = random.nextInt(KEYS);
        long marker = 1_000_000_000L + i;
        int port = port(k);
        java.math.BigDecimal expected = bytesOf(t, port).subtract(java.math.BigDecimal.valueOf(bytes[n][k]))
            .add(java.math.BigDecimal.valueOf(marker));
        bytes[n][k] = marker;
        long sent = System.nanoTime();
        producer.send(record(topic, n, k, marker, 2));
        producer.flush();
        boolean seen = false;
        while (!seen) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(1))) {
            seen |= new String(r.value(), StandardCharsets.UTF_8).contains("\"bytes\":" + marker + ",");
          }
        }
        consumer.add((System.nanoTime() - sent) / 1e6);
        while (true) {
          JsonNode v = t.entry("flows", node(n), key(k), null).map(r -> r.get("value")).orElse(null);
          if (v != null && v.get("bytes").asLong() == marker) {
            break;
          }
          Thread.sleep(1);
        }
        table.add((System.nanoTime() - sent) / 1e6);
        while (bytesOf(t, port).compareTo(expected) != 0) {
          Thread.sleep(1);
        }
        aggregate.add((System.nanoTime() - sent) / 1e6);
      }
    }
    Collections.sort(aggregate);
    Collections.sort(table);
    Collections.sort(consumer);
    System.out.println(String.format(java.util.Locale.ROOT,
        "BENCH fleet.latency changes=%d table_p50_ms=%.1f table_p99_ms=%.1f table_max_ms=%.1f aggregate_p50_ms=%.1f "
            + "aggregate_p99_ms=%.1f consumer_p50_ms=%.1f consumer_p99_ms=%.1f ratio_p50=%.2f", CHANGES, pct(table, 0.5),
        pct(table, 0.99), table.getLast(), pct(aggregate, 0.5), pct(aggregate, 0.99), pct(consumer, 0.5),
        pct(consumer, 0.99), pct(table, 0.5) / pct(consumer, 0.5)));
  }

  /** The destination port of key k, as {@link #keyText} writes it. */
  private static int port(int k) {
    return k % 5 == 0 ? 443 : 80 + k % 5;
  }

  /** The aggregate's bytes for a port, now. */
  private static java.math.BigDecimal bytesOf(FleetTable t, int port) {
    for (FleetGroup g : t.aggregate("bytes_by_dport")) {
      if (g.group().get("dport").asInt() == port) {
        return g.sums().get("bytes");
      }
    }
    return java.math.BigDecimal.ZERO;
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static long entries(FleetTable table) {
    long n = 0;
    for (FleetGroup g : table.aggregate("bytes_by_dport")) {
      n += g.entries();
    }
    return n;
  }

  private static FleetTable table(EmbeddedKafka kafka, String topic, Path state, String app) throws Exception {
    return FleetTable.builder().bootstrapServers(kafka.bootstrapServers()).topics(List.of(topic))
        .heartbeatTopic(HEARTBEATS).expiry(Duration.ofHours(2)).applicationId(app)
        .stateDir(Files.createDirectories(state)).listen(new InetSocketAddress("127.0.0.1", 0))
        .aggregate(new FleetAggregate("bytes_by_dport", "flows", List.of("dport"), List.of("bytes", "packets")))
        .build();
  }

  /** Every node's records, then the partitions' last ones. */
  private static void sendAll(KafkaProducer<byte[], byte[]> producer, String topic) {
    for (int n = 0; n < NODES; n++) {
      for (int k = 0; k < KEYS; k++) {
        producer.send(record(topic, n, k, k * 1500L + n, 1));
      }
    }
    for (int[] e : ends()) {
      producer.send(record(topic, e[0], e[1], 1, 1));
    }
    producer.flush();
  }

  /**
   * The reference: a consumer that has its partitions, then the same records sent, read into a
   * hash map until it holds every one.
   */
  private static double consume(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, String topic, long total) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(kafka)) {
      c.subscribe(List.of(topic));
      while (c.assignment().size() < PARTITIONS) {
        c.poll(Duration.ofMillis(100));
      }
      long start = System.nanoTime();
      Thread send = Thread.ofPlatform().start(() -> sendAll(producer, topic));
      Map<String, byte[]> table = new HashMap<>();
      long read = 0;
      while (read < total) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          table.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
          read++;
        }
      }
      send.join();
      return total / ((System.nanoTime() - start) / 1e9);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("group.id", "bench-consumer-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("linger.ms", "5");
    p.put("compression.type", "lz4");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static String node(int n) {
    return String.format("node-%04d", n);
  }

  private static String keyText(int k) {
    return "{\"saddr\":" + (0x0A000000L + k) + ",\"dport\":" + port(k) + "}";
  }

  private static JsonNode key(int k) {
    try {
      return JSON.readTree(keyText(k));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] keyBytes(int n, int k) {
    return ("{\"node\":\"" + node(n) + "\",\"map\":\"flows\",\"key\":" + keyText(k) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** A record as a node's sink writes it (records.schema.json's mapValue). */
  private static ProducerRecord<byte[], byte[]> record(String topic, int n, int k, long bytes, long cycle) {
    String value = "{\"node\":\"" + node(n) + "\",\"map\":\"flows\",\"cycle\":" + cycle + ",\"timestamp\":"
        + System.currentTimeMillis() + ",\"key\":" + keyText(k) + ",\"value\":{\"bytes\":" + bytes + ",\"packets\":"
        + (bytes / 1000 + 1) + "},\"op\":\"" + (cycle == 1 ? "c" : "u") + "\",\"source\":{\"node\":\"" + node(n)
        + "\",\"map\":\"flows\",\"map_id\":" + (100 + n) + ",\"target\":\"/sys/fs/bpf/flows\",\"key_layout\":\"k\","
        + "\"value_layout\":\"v\",\"mode\":\"changes\",\"cycle\":" + cycle + "}}";
    return new ProducerRecord<>(topic, keyBytes(n, k), value.getBytes(StandardCharsets.UTF_8));
  }

  /** One key per partition, of a node past the fleet's: the records sent last. */
  private static List<int[]> ends() {
    List<int[]> out = new ArrayList<>();
    boolean[] found = new boolean[PARTITIONS];
    for (int k = 0; out.size() < PARTITIONS; k++) {
      int p = Utils.toPositive(Utils.murmur2(keyBytes(NODES, k))) % PARTITIONS;
      if (!found[p]) {
        found[p] = true;
        out.add(new int[] {NODES, k});
      }
    }
    return out;
  }
}
