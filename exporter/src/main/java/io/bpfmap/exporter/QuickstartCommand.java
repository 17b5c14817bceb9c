package io.bpfmap.exporter;

import io.bpfmap.kafka.broker.EmbeddedKafka;
import io.bpfmap.metrics.MetricsServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bpfmap quickstart}: the whole pipeline on this machine, on real kernel data by default
 * ({@link KernelDemo}), or on a map fed from Java with {@code --synthetic} ({@link SyntheticDemo});
 * to an embedded Kafka broker unless {@code --kafka}, and to /metrics. Says which demo ran.
 */
final class QuickstartCommand implements Callable<Integer> {
  static final Command.Opt DURATION = Command.Opt.value("--duration", "D",
      "Stop after this long (e.g. 20s); default: until Ctrl-C.");
  static final Command.Opt KAFKA = Command.Opt.value("--kafka", "BOOTSTRAP", "Use this Kafka instead of an embedded broker.");
  static final Command.Opt LISTEN = Command.Opt.value("--listen", "HOST:PORT", "Address of /metrics.")
      .orElse("127.0.0.1:" + MetricsServer.DEFAULT_PORT);
  static final Command.Opt SYNTHETIC = Command.Opt.flag("--synthetic",
      "Export a map fed from Java instead of loading bpfmap's program (for kernels that refuse programs).");
  static final Command.Opt PIN = Command.Opt.value("--pin", "PIN", "Where the synthetic demo's map is pinned.")
      .orElse("/sys/fs/bpf/bpfmap-quickstart");
  static final Command COMMAND = new Command("quickstart", "Show the whole pipeline on this machine: bpfmap's own "
      + "program counts system calls and reports execs, exported to Kafka (an embedded broker unless --kafka) and to "
      + "/metrics.", List.of(DURATION, KAFKA, LISTEN, SYNTHETIC, PIN),
      List.of("", "Examples:", "  bpfmap quickstart --duration 20s", "  bpfmap quickstart --kafka 127.0.0.1:9092",
          "  bpfmap quickstart --synthetic"),
      QuickstartCommand::new);

  /** What a quickstart shows: its sources, how it reports progress and what it found. */
  interface Demo {
    String which();

    Config config(String bootstrap, Config.PromConfig prometheus);

    List<String> started(Daemon daemon, String bootstrap);

    String progress(Daemon daemon, long readPerSecond);

    List<String> report(String bootstrap, Daemon daemon, String metrics);

    /** Undoes what the demo set up; says what. */
    String close() throws IOException, InterruptedException;
  }

  private final String duration;
  private final String kafka;
  private final String listen;
  private final boolean synthetic;
  private final Path pin;

  private QuickstartCommand(Args a) {
    duration = a.value(DURATION);
    kafka = a.value(KAFKA);
    listen = a.value(LISTEN);
    synthetic = a.flag(SYNTHETIC);
    pin = a.path(PIN);
  }

  @Override
  public Integer call() throws Exception {
    Duration runFor = duration == null ? null : Config.duration(duration, "--duration");
    int colon = listen.lastIndexOf(':');
    Config.PromConfig prometheus;
    try {
      prometheus = new Config.PromConfig(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new CliException("--listen: expected host:port, got '" + listen + "'");
    }
    CountDownLatch stop = StopSignal.termOrInt();
    Demo demo = synthetic ? new SyntheticDemo(pin) : new KernelDemo();
    System.out.println("quickstart: running " + demo.which());
    EmbeddedKafka broker = null;
    Path kafkaDir = null;
    String undone;
    try {
      String bootstrap = kafka;
      if (bootstrap == null) {
        kafkaDir = Files.createTempDirectory("bpfmap-quickstart-kafka");
        System.out.println("quickstart: starting an embedded Kafka broker (data in " + kafkaDir + ", removed at the "
            + "end)");
        broker = EmbeddedKafka.start(kafkaDir.resolve("data"));
        bootstrap = broker.bootstrapServers();
      }
      Config cfg = demo.config(bootstrap, prometheus);
      try (Daemon daemon = new Daemon(cfg, false)) {
        try {
          daemon.start();
        } catch (CliException e) {
          // the quickstart's user wrote no YAML: its paths would only puzzle them
          String why = e.getMessage().replaceFirst("^(programs|maps|rings)\\[0\\](\\.[a-z-]+)?: ", "");
          throw synthetic ? e : new CliException("bpfmap's program: " + why + " (on a kernel that refuses "
              + "programs, run bpfmap quickstart --synthetic)", e);
        }
        for (String line : demo.started(daemon, bootstrap)) {
          System.out.println("quickstart: " + line);
        }
        System.out.println("quickstart: metrics on http://" + prometheus.host() + ":" + daemon.metricsPort() + "/metrics");
        run(daemon, demo, stop, runFor);
        String scraped = metrics("http://" + prometheus.host() + ":" + daemon.metricsPort() + "/metrics");
        daemon.close();
        for (String line : demo.report(bootstrap, daemon, scraped)) {
          System.out.println("quickstart: " + line);
        }
      }
    } finally {
      try {
        undone = demo.close();
      } finally {
        try {
          if (broker != null) {
            broker.close();
          }
        } finally {
          if (kafkaDir != null) {  // also when the broker did not start
            deleteTree(kafkaDir);
          }
        }
      }
    }
    System.out.println("quickstart: stopped; " + undone);
    return 0;
  }

  /** Prints the demo's progress every 2 s until the duration passes or a signal comes. */
  private static void run(Daemon daemon, Demo demo, CountDownLatch stop, Duration runFor) throws InterruptedException {
    long end = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
    long lastRead = 0;
    while (!stop.await(Math.min(2000, Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)
        && System.nanoTime() < end) {
      long read = daemon.pipelines().stream().mapToLong(p -> p.stats() == null ? 0 : p.stats().entriesRead()).sum();
      System.out.println("quickstart: " + demo.progress(daemon, Math.max(0, read - lastRead) / 2));
      lastRead = read;
    }
  }

  /** The daemon's config around a demo's sources: the quickstart node, Kafka and /metrics. */
  static Config config(List<SourceConfigs.ProgramConfig> programs, List<Config.MapConfig> maps,
      List<SourceConfigs.RingConfig> rings, String bootstrap, Config.PromConfig prometheus) {
    return new Config("quickstart", programs, maps, rings,
        new Config.KafkaConfig(bootstrap, "bpfmap.{map}", Map.of(), true, 16_384, Duration.ofSeconds(10),
            new Config.Topics(1, null, Map.of()), Config.ChangeEvents.DEFAULT),
        prometheus, null, false, Duration.ofHours(1), Config.STOP_TIMEOUT, null, null);
  }

  /** Removes the embedded broker's data: the quickstart made it and nothing reads it after. */
  private static void deleteTree(Path dir) throws IOException {
    try (var all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String metrics(String url) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * A topic read back from the start to its end: how many records of entries and events (cycle
   * markers and d records beside their tombstones not counted), and those a filter kept (as text).
   */
  record Topic(long records, List<Text> kept) {
    record Text(String key, String value) {}

    static Topic read(String bootstrap, String topic, Predicate<Text> keep) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      long records = 0;
      List<Text> kept = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long endOffset = c.endOffsets(List.of(tp)).get(tp);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.position(tp) < endOffset && System.nanoTime() < deadline) {
          for (var r : c.poll(Duration.ofMillis(500))) {
            Text t = new Text(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8),
                r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
            if (t.key().contains("\"marker\":\"cycle\"") || t.value().contains("\"op\":\"d\"")) {
              continue;
            }
            records++;
            if (keep.test(t)) {
              kept.add(t);
            }
          }
        }
      }
      return new Topic(records, kept);
    }
  }
}
