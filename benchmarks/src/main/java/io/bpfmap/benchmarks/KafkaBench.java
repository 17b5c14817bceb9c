package io.bpfmap.benchmarks;

import io.bpfmap.core.BatchCursor;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Export of the 1 000 000-entry map in SNAPSHOT mode to a local broker, against the raw
 * kafka-clients producer (the reference) sending pre-built records: the same bytes bpfmap renders
 * (key, value and headers), in the map's iteration order so they compress alike, with the same
 * producer settings. One broker for the whole run; lz4 and zstd; every topic created before any
 * clock starts. After {@link #WARMUPS} warm-ups of each side (the export's JIT needs about that),
 * the sides run in turn for {@link #ROUNDS} rounds, each round starting one side further (what a
 * side leaves behind, garbage or the broker's flushes, does not always land on the same next
 * one); the medians are reported with the process CPU time per record and the bytes per record
 * in the broker's log, which must agree between the sides (the same records, compressed alike).
 * A second reference, a hand-written exporter, reads the map and renders each record inside its
 * timed loop, the plain way ({@code hand_…}, {@code ratio_to_hand}): the work the first one leaves
 * out and an exporter cannot. A third, {@code ratio_to_raw_and_read}, adds to each round's raw
 * producer the time the C batch read of the same map takes in that round: a raw producer that had
 * to read the map first, at the kernel's speed, and render nothing.
 */
final class KafkaBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"id\",\"Q\"],[\"check\",\"Q\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"data\",\"8Q\"]]");
  private static final int N = ReadBench.ENTRIES;
  private static final int ROUNDS = 9;
  private static final int WARMUPS = 2;
  private static final long TIMESTAMP = 1_764_097_200_123L;
  /** The sides, in the order of their runs in round 0; each round starts one further. */
  private static final List<String> SIDES = List.of("raw", "hand", "ours");

  private KafkaBench() {}

  /** Records per second, CPU microseconds and bytes in the broker's log per record, of one run. */
  private record Run(double rps, double cpuUs, double logBytes) {
    Run logged(long bytes) {
      return new Run(rps, cpuUs, (double) bytes / N);
    }
  }

  /** One side's run, to a topic of its own. */
  private interface Side {
    Run run(String topic) throws Exception;
  }

  /** The reference's records, built before any clock starts. */
  private record Records(byte[][] keys, byte[][] values) {}

  static void run() {
    Path dir = null;
    Path pin = Path.of("/sys/fs/bpf/bpfmap-bench-kafka-" + ProcessHandle.current().pid());
    try {
      dir = Files.createTempDirectory("bpfmap-bench-kafka");
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("data"));
          BpfMap map = ReadBench.filledHash("bench_kafka", N)) {
        map.pin(pin);
        Records records = records(map);
        Path data = dir.resolve("data");
        for (String compression : new String[] {"lz4", "zstd"}) {
          List<Side> sides = List.of(t -> raw(kafka, records, t, compression), t -> handWritten(kafka, map, t, compression),
              t -> export(kafka, map, t, compression));
          List<String> topics = new ArrayList<>();
          for (String side : SIDES) {
            for (int i = 0; i < WARMUPS; i++) {
              topics.add(topic(side, compression, "warmup-" + i));
            }
            for (int i = 0; i < ROUNDS; i++) {
              topics.add(topic(side, compression, Integer.toString(i)));
            }
          }
          createTopics(kafka, topics);
          for (int warmup = 0; warmup < WARMUPS; warmup++) {
            for (int side = 0; side < SIDES.size(); side++) {
              sides.get(side).run(topic(SIDES.get(side), compression, "warmup-" + warmup));
            }
          }
          List<List<Run>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
          List<Double> cRead = new ArrayList<>();
          for (int round = 0; round < ROUNDS; round++) {
            cRead.add(ReadBench.cReference(pin, "batch", 1));
            for (int i = 0; i < SIDES.size(); i++) {
              int side = (i + round) % SIDES.size();
              String topic = topic(SIDES.get(side), compression, Integer.toString(round));
              runs.get(side).add(sides.get(side).run(topic).logged(logBytes(data, topic)));
            }
          }
          List<Run> raw = runs.get(0);
          List<Run> hand = runs.get(1);
          List<Run> ours = runs.get(2);
          List<Double> vsHand = new ArrayList<>();
          List<Double> vsRead = new ArrayList<>();
          for (int round = 0; round < ROUNDS; round++) {
            vsHand.add(ours.get(round).rps() / hand.get(round).rps());
            vsRead.add(ours.get(round).rps() * (1 / raw.get(round).rps() + 1 / cRead.get(round)));
          }
          Bench.reportPaired("kafka.snapshot.1M." + compression, "java_rps", ours.stream().map(Run::rps).toList(), "raw_rps",
              raw.stream().map(Run::rps).toList(), "java_cpu_us=" + fixed(median(ours, Run::cpuUs)),
              "raw_cpu_us=" + fixed(median(raw, Run::cpuUs)), "java_log_b=" + fixed(median(ours, Run::logBytes)),
              "raw_log_b=" + fixed(median(raw, Run::logBytes)),
              "hand_rps=" + Bench.range(hand.stream().map(Run::rps).toList()),
              "hand_cpu_us=" + fixed(median(hand, Run::cpuUs)), "hand_log_b=" + fixed(median(hand, Run::logBytes)),
              "ratio_to_hand_spread=" + Bench.spread(vsHand), "ratio_to_hand=" + Bench.figure(ReadBench.median(vsHand)),
              "c_read_eps=" + Bench.range(cRead), "ratio_to_raw_and_read_spread=" + Bench.spread(vsRead),
              "ratio_to_raw_and_read=" + Bench.figure(ReadBench.median(vsRead)));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("kafka benchmark failed: " + e.getMessage(), e);
    } finally {
      delete(dir);
      try {
        Files.deleteIfExists(pin);
      } catch (java.io.IOException e) {
        System.err.println("could not remove " + pin + ": " + e.getMessage());
      }
    }
  }

  /** The topic of one side's run: {@code ours-lz4-3}, {@code raw-zstd-warmup-0}. */
  private static String topic(String side, String compression, String run) {
    return side + "-" + compression + "-" + run;
  }

  /** The size of a single-partition topic's log segments. */
  private static long logBytes(Path data, String topic) throws java.io.IOException {
    try (var files = Files.list(data.resolve(topic + "-0"))) {
      long bytes = 0;
      for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        bytes += Files.size(f);
      }
      return bytes;
    }
  }

  /** Removes the broker's data (about 1 GB after a run). */
  static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.io.IOException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }

  private static KafkaSink sink(EmbeddedKafka kafka, String topic, String compression) {
    return KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).node("bench-node").topic(topic)
        .producerProperty("compression.type", compression).build();
  }

  /** The export, timed from its start to the last ack. */
  private static Run export(EmbeddedKafka kafka, BpfMap map, String topic, String compression) {
    try (KafkaSink sink = sink(kafka, topic, compression);
        MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).interval(Duration.ofHours(1))
            .prefetch(4096).build()) {
      Clock clock = new Clock();
      KafkaExport export = sink.export(stream);
      while (export.acknowledged() < N) {
        sleep(2);
      }
      Run run = clock.stop();
      export.stop(Duration.ofSeconds(30));
      return run;
    }
  }

  /**
   * Creates every topic of a compression's runs before any clock starts: no side's clock holds a
   * topic's creation, or a first send that finds the broker not yet knowing its topic.
   */
  private static void createTopics(EmbeddedKafka kafka, List<String> topics) {
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).build()) {
      topics.forEach(t -> sink.ensureTopic(t, false));
    }
  }

  /** The producer settings bpfmap uses. */
  private static Properties producerProperties(EmbeddedKafka kafka, String compression) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** The reference: the producer settings bpfmap uses, and records built ahead. */
  private static Run raw(EmbeddedKafka kafka, Records records, String topic, String compression)
      throws InterruptedException {
    return produce(kafka, topic, compression, "raw producer", send -> {
      for (int i = 0; i < N; i++) {
        send.accept(records.keys[i], records.values[i]);
      }
    });
  }

  /**
   * The second reference, a hand-written exporter: the same producer, timed from the map's batch
   * read through the rendering of each record (as {@link Renderer} does) to the last ack. What
   * the first reference leaves out, an exporter must do.
   */
  private static Run handWritten(EmbeddedKafka kafka, BpfMap map, String topic, String compression)
      throws InterruptedException {
    return produce(kafka, topic, compression, "hand-written exporter", send -> {
      Renderer render = new Renderer(map);
      try (BatchCursor cursor = map.batchCursor(4096, false)) {
        for (int got = cursor.next(); got > 0; got = cursor.next()) {
          for (int i = 0; i < got; i++) {
            long id = cursor.key(i).get(ValueLayout.JAVA_LONG, 0);
            if (cursor.value(i).get(ValueLayout.JAVA_LONG, 0) != id * 8) {
              throw new IllegalStateException("entry " + id + " does not hold what the bench map was filled with");
            }
            send.accept(render.key(id), render.value(id));
          }
        }
      }
    });
  }

  /**
   * A fresh producer with bpfmap's settings sends the N records {@code records} gives to its
   * argument (key, value), with bpfmap's headers: timed from before the first send to the last ack.
   */
  private static Run produce(EmbeddedKafka kafka, String topic, String compression, String who,
      Consumer<BiConsumer<byte[], byte[]>> records) throws InterruptedException {
    AtomicLong acked = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    RecordHeaders headers = headers();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(kafka, compression))) {
      Clock clock = new Clock();
      records.accept((key, value) -> producer.send(new ProducerRecord<>(topic, null, TIMESTAMP, key, value, headers),
          (md, ex) -> {
            if (acked.incrementAndGet() == N) {
              all.countDown();
            }
          }));
      if (!all.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(who + ": only " + acked.get() + " of " + N + " acknowledged");
      }
      return clock.stop();
    }
  }

  /** What bpfmap renders for each entry of the map (cycle 1), in the kernel's iteration order. */
  private static Records records(BpfMap map) {
    byte[][] keys = new byte[N][];
    byte[][] values = new byte[N][];
    Renderer render = new Renderer(map);
    int n = 0;
    try (BatchCursor cursor = map.batchCursor(4096, false)) {
      for (int got = cursor.next(); got > 0; got = cursor.next()) {
        for (int i = 0; i < got; i++, n++) {
          long id = cursor.key(i).get(ValueLayout.JAVA_LONG, 0);
          keys[n] = render.key(id);
          values[n] = render.value(id);
        }
      }
    }
    if (n != N) {
      throw new IllegalStateException("map holds " + n + " entries, expected " + N);
    }
    return new Records(keys, values);
  }

  private static RecordHeaders headers() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("bpfmap.map", "bench_kafka".getBytes(StandardCharsets.UTF_8));
    headers.add("bpfmap.node", "bench-node".getBytes(StandardCharsets.UTF_8));
    headers.add("bpfmap.layout", (KEY.fingerprint() + ":" + VALUE.fingerprint()).getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  /**
   * Renders an entry of the bench map (value word w of entry id is id * 8 + w, as
   * {@link ReadBench#filledHash} writes it) as bpfmap does in cycle 1, the plain way: a
   * StringBuilder, then its UTF-8 bytes.
   */
  private static final class Renderer {
    private static final String PREFIX = "{\"node\":\"bench-node\",\"map\":\"bench_kafka\"";
    /** The change-capture tail: op, and the source block of a SNAPSHOT cycle 1. */
    private final String tail;

    Renderer(BpfMap map) {
      this.tail = ",\"op\":\"r\",\"source\":{\"node\":\"bench-node\",\"map\":\"bench_kafka\",\"map_id\":"
          + map.info().id() + ",\"target\":\"" + map.target() + "\",\"key_layout\":\"" + KEY.fingerprint()
          + "\",\"value_layout\":\"" + VALUE.fingerprint() + "\",\"mode\":\"snapshot\",\"cycle\":1}}";
    }

    private static String key(StringBuilder b, long id) {
      return b.append(",\"key\":{\"id\":").append(id).append(",\"check\":").append(Long.toUnsignedString(~id))
          .append('}').toString();
    }

    byte[] key(long id) {
      return (PREFIX + key(new StringBuilder(), id) + "}").getBytes(StandardCharsets.UTF_8);
    }

    byte[] value(long id) {
      StringBuilder v = new StringBuilder(PREFIX).append(",\"cycle\":1,\"timestamp\":").append(TIMESTAMP);
      key(v, id);
      v.append(",\"value\":{\"data\":[");
      for (int w = 0; w < 8; w++) {
        v.append(w == 0 ? "" : ",").append(id * 8 + w);
      }
      return v.append("]}").append(tail).toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Wall time and process CPU time since construction. */
  private static final class Clock {
    private final long wall = System.nanoTime();
    private final long cpu = Bench.cpuNanos();

    Run stop() {
      return new Run(N / ((System.nanoTime() - wall) / 1e9), (Bench.cpuNanos() - cpu) / 1e3 / N, 0);
    }
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return ReadBench.median(runs.stream().map(r -> f.applyAsDouble(r)).toList());
  }

  private static String fixed(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
