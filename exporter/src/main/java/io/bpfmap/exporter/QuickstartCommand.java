package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.Bpffs;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import io.bpfmap.metrics.LabelDecoder;
import io.bpfmap.metrics.MapMeters;
import io.bpfmap.metrics.MetricsServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

final class QuickstartCommand implements Callable<Integer> {
  static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  /** What the demo writes into the hidden field: it must appear in no record and no series. */
  static final long SECRET = 8_675_309_123_456_789L;
  private static final int FLOWS = 64;

  static final Command.Opt DURATION = Command.Opt.value("--duration", "D",
      "Stop after this long (e.g. 20s); default: until Ctrl-C.");
  static final Command.Opt KAFKA = Command.Opt.value("--kafka", "BOOTSTRAP", "Use this Kafka instead of an embedded broker.");
  static final Command.Opt LISTEN = Command.Opt.value("--listen", "HOST:PORT", "Address of /metrics.")
      .orElse("127.0.0.1:" + MetricsServer.DEFAULT_PORT);
  static final Command.Opt PIN = Command.Opt.value("--pin", "PIN", "Where the demo map is pinned.")
      .orElse("/sys/fs/bpf/bpfmap-quickstart");
  static final Command COMMAND = new Command("quickstart", "Show the whole pipeline on this machine: a demo map fed by "
      + "a writer, exported in CHANGES mode to Kafka (an embedded broker unless --kafka) and to /metrics.",
      List.of(DURATION, KAFKA, LISTEN, PIN),
      List.of("", "Examples:", "  bpfmap quickstart --duration 20s", "  bpfmap quickstart --kafka 127.0.0.1:9092"),
      QuickstartCommand::new);

  private final String duration;
  private final String kafka;
  private final String listen;
  private final Path pin;

  private QuickstartCommand(Args a) {
    duration = a.value(DURATION);
    kafka = a.value(KAFKA);
    listen = a.value(LISTEN);
    pin = a.path(PIN);
  }

  @Override
  public Integer call() throws Exception {
    Duration runFor = duration == null ? null : Config.duration(duration, "--duration");
    if (Bpffs.mountPointOf(pin) == null) {
      throw new CliException("--pin " + pin + ": not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf)");
    }
    Files.deleteIfExists(pin);
    CountDownLatch stop = StopSignal.termOrInt();
    Path kafkaDir = null;
    EmbeddedKafka broker = null;
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "flows", KEY.size(), VALUE.size(), 1024))) {
      map.pin(pin);
      String bootstrap = kafka;
      if (bootstrap == null) {
        kafkaDir = Files.createTempDirectory("bpfmap-quickstart-kafka");
        System.out.println("quickstart: starting an embedded Kafka broker (data in " + kafkaDir + ")");
        broker = EmbeddedKafka.start(kafkaDir.resolve("data"));
        bootstrap = broker.bootstrapServers();
      }
      Config cfg = config(bootstrap);
      Writer writer = new Writer(map.parsed(KEY, VALUE));
      Thread writing = Thread.ofPlatform().daemon().name("quickstart-writer").start(writer);
      try (Daemon daemon = new Daemon(cfg, false)) {
        daemon.start();
        String metrics = "http://" + cfg.prometheus().host() + ":" + daemon.metricsPort() + "/metrics";
        System.out.println("quickstart: map 'flows' pinned at " + pin + "; exporting CHANGES to Kafka " + bootstrap
            + " topic bpfmap.flows; metrics on " + metrics);
        System.out.println("quickstart: field 'secret' is masked X: it must reach no sink");
        long end = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
        long lastRead = 0;
        while (!stop.await(Math.min(2000, Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)
            && System.nanoTime() < end) {
          Pipeline p = daemon.pipelines().getFirst();
          long read = p.stats() == null ? lastRead : p.stats().entriesRead();
          System.out.printf("quickstart: %d flows | %d entries read/s | %d records acknowledged | lag %d records%n",
              writer.flows(), (read - lastRead) / 2, p.acknowledged(), p.inFlight());
          lastRead = read;
        }
        writer.stop();
        writing.join();
        String scraped = metrics(metrics);
        daemon.close();
        report(bootstrap, daemon.pipelines().getFirst().acknowledged(), scraped);
      }
    } finally {
      Files.deleteIfExists(pin);
      if (broker != null) {
        broker.close();
      }
    }
    System.out.println("quickstart: stopped; removed " + pin);
    return 0;
  }

  private Config config(String bootstrap) {
    int colon = listen.lastIndexOf(':');
    Config.MapConfig flows = new Config.MapConfig("flows", io.bpfmap.core.MapSelector.pin(pin), KEY, VALUE,
        PermissionMask.of(Map.of("packets", "R", "bytes", "R")), Mode.CHANGES, Duration.ofSeconds(1), 4096,
        PerCpuPolicy.SUM, Map.of("saddr", LabelDecoder.of("ipv4"), "daddr", LabelDecoder.of("ipv4")),
        List.of(new MapMeters.Metric("packets", MapMeters.Type.COUNTER, "Packets of the demo flow"),
            new MapMeters.Metric("bytes", MapMeters.Type.COUNTER, "Bytes of the demo flow")), 10_000, false, "quickstart");
    return new Config("quickstart", List.of(), List.of(flows), List.of(),
        new Config.KafkaConfig(bootstrap, "bpfmap.{map}", Map.of(), true, 16_384, Duration.ofSeconds(10),
            new Config.Topics(1, null, Map.of())),
        new Config.PromConfig(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
        false, Duration.ofHours(1), Config.STOP_TIMEOUT);
  }

  private static String metrics(String url) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Reads the topic back and looks at /metrics: what arrived, and that the secret did not. */
  private static void report(String bootstrap, long acked, String metrics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long records = 0;
    boolean leaked = false;
    String secret = Long.toString(SECRET);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition("bpfmap.flows", 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long endOffset = c.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (c.position(tp) < endOffset && System.nanoTime() < deadline) {
        for (var r : c.poll(Duration.ofMillis(500))) {
          records++;
          leaked |= r.value() != null && new String(r.value(), java.nio.charset.StandardCharsets.UTF_8).contains(secret);
        }
      }
    }
    long series = metrics.lines().filter(l -> l.startsWith("bpfmap_flows_packets_total{")).count();
    System.out.println("quickstart: " + records + " records in Kafka topic bpfmap.flows (" + acked + " acknowledged)");
    System.out.println("quickstart: " + series + " flows on /metrics as bpfmap_flows_packets_total and bpfmap_flows_bytes_total");
    System.out.println("quickstart: the masked field 'secret' appears in " + (leaked ? "KAFKA RECORDS" : "no Kafka record")
        + " and " + (metrics.contains(secret) || metrics.contains("secret") ? "THE METRICS" : "no metric"));
  }

  /** Feeds the demo map: flows between 10.0.0.x and 192.168.0.1:443 whose counters grow. */
  private static final class Writer implements Runnable {
    private final ParsedMap map;
    private final Random random = new Random(42);
    private final long[] packets = new long[FLOWS];
    private final long[] bytes = new long[FLOWS];
    private volatile boolean stopped;
    private volatile int flows;

    Writer(ParsedMap map) {
      this.map = map;
    }

    @Override
    public void run() {
      while (!stopped) {
        int grown = Math.min(FLOWS, flows + 4);
        for (int i = 0; i < grown; i++) {
          if (i >= flows || random.nextInt(4) == 0) {
            packets[i] += 1 + random.nextInt(10);
            bytes[i] += 64 + random.nextInt(1400);
            map.update(Map.of("saddr", ipv4(10, 0, 0, i + 1), "daddr", ipv4(192, 168, 0, 1), "sport", 40_000 + i, "dport", 443),
                Map.of("packets", packets[i], "bytes", bytes[i], "secret", SECRET));
          }
        }
        flows = grown;
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The number an 'I' field holds when its bytes in memory are a.b.c.d (network order). */
    private static long ipv4(int a, int b, int c, int d) {
      return java.nio.ByteBuffer.wrap(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d})
          .order(java.nio.ByteOrder.nativeOrder()).getInt() & 0xFFFF_FFFFL;
    }

    int flows() {
      return flows;
    }

    void stop() {
      stopped = true;
    }
  }
}
