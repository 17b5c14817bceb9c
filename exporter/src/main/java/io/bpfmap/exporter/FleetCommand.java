package io.bpfmap.exporter;

import io.bpfmap.fleet.FleetTable;
import io.bpfmap.kafka.KafkaSink;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the fleet table over the topics a config's nodes export to: every live node's maps as one
 * table, its aggregates, over HTTP as JSON and on /metrics. More instances with the same config
 * share the work.
 */
final class FleetCommand implements Callable<Integer> {
  static final Command.Opt LISTEN = Command.Opt.value("--listen", "HOST:PORT",
      "Where HTTP listens, over fleet.listen (default 0.0.0.0:" + FleetTable.DEFAULT_PORT + ").");
  static final Command.Opt ADVERTISE = Command.Opt.value("--advertise", "HOST:PORT",
      "How the other instances reach this one, over fleet.advertise (default this host's name and port).");
  static final Command.Opt STATE_DIR = Command.Opt.value("--state-dir", "DIR",
      "Where Kafka Streams keeps the stores, over fleet.state-dir (default /var/lib/bpfmap/fleet).");
  static final Command COMMAND = new Command("fleet",
      "Serve every node's maps as one table, with sums across nodes, from the topics a config exports to.",
      List.of(ExportCommand.CONFIG, LISTEN, ADVERTISE, STATE_DIR, ExportCommand.LOG_FORMAT), List.of("",
          "Reads the topics and heartbeats of the config's sinks.kafka (its security too) on Kafka Streams;",
          "fleet: in the config sets aggregates and the rest. A node whose last heartbeat is older than the",
          "expiry (3 heartbeat intervals) drops out of every answer.", "",
          "HTTP: /fleet/nodes, /fleet/maps/MAP[?node=N], /fleet/maps/MAP/entry?node=N&key=JSON,",
          "      /fleet/aggregates/NAME, /metrics, /health", "",
          "More instances with the same config (and their own --listen and --state-dir) share the work;",
          "each answers for the whole fleet. SIGTERM or Ctrl-C stops it.", "",
          "Examples:", "  bpfmap fleet --config /etc/bpfmap/bpfmap.yaml",
          "  curl -s localhost:" + FleetTable.DEFAULT_PORT + "/fleet/aggregates/bytes_by_dport"), FleetCommand::new);

  private final Path config;
  private final String listen;
  private final String advertise;
  private final String stateDir;

  private FleetCommand(Args a) {
    config = a.path(ExportCommand.CONFIG);
    listen = a.value(LISTEN);
    advertise = a.value(ADVERTISE);
    if (advertise != null) {
      try {
        FleetTable.checkAdvertise(advertise);
      } catch (io.bpfmap.fleet.FleetException e) {
        throw new CliException("--advertise: '" + advertise + "' is not HOST:PORT");
      }
    }
    stateDir = a.value(STATE_DIR);
    LogLayout.use(LogLayout.parse("--log-format", a.value(ExportCommand.LOG_FORMAT)), a.verbose());
  }

  @Override
  public Integer call() throws InterruptedException {
    Config cfg = Config.load(config);
    if (cfg.kafka() == null) {
      throw new CliException(config + ": sinks.kafka: required, to know the topics and how to reach them");
    }
    FleetConfigs f;
    try {
      f = cfg.fleet() != null ? cfg.fleet() : FleetConfigs.parse(null, cfg.maps(), cfg.kafka());
    } catch (CliException e) {
      throw new CliException(config + ": " + e.getMessage(), e);
    }
    Config.KafkaConfig k = cfg.kafka();
    InetSocketAddress address = listen == null ? new InetSocketAddress(f.host(), f.port()) : address(listen);
    // the topics as the nodes would make them, so that the table can start before the first node
    if (k.createTopics()) {
      try (KafkaSink sink = SinkConfigs.sink(k, "bpfmap-fleet").build()) {
        sink.checkReachable(k.connectTimeout());
        f.topics().forEach(t -> sink.ensureTopic(t, true));  // by pattern: each node makes its own
        sink.ensureTopic(k.changeEvents().heartbeatTopic(), true);
      }
    }
    io.bpfmap.fleet.FleetTableBuilder b = FleetTable.builder().bootstrapServers(k.bootstrapServers()).clientProperties(security(k))
        .maps(f.maps()).connectTimeout(k.connectTimeout()).heartbeatTopic(k.changeEvents().heartbeatTopic()).expiry(f.expiry())
        .applicationId(f.applicationId()).stateDir(stateDir == null ? f.stateDir() : Path.of(stateDir))
        .listen(address).advertise(advertise != null ? advertise : f.advertise()).threads(f.threads())
        .streamsProperties(f.streams());
    if (f.topicPattern() != null) {
      b.topicPattern(f.topicPattern());
    } else {
      b.topics(f.topics());
    }
    f.aggregates().forEach(b::aggregate);
    CountDownLatch stop = StopSignal.termOrInt();
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FleetCommand.class);
    try (FleetTable table = b.build()) {
      table.start();
      log.info("fleet table of {} on port {}: topics {}, {} aggregate(s), nodes expire after {}", f.maps(),
          table.port(), f.topicPattern() != null ? "matching " + f.topicPattern() : f.topics(), f.aggregates().size(), f.expiry().isZero() ? "never" : f.expiry().toMillis() + " ms");
      boolean running = false;
      long warnAfter = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!stop.await(200, TimeUnit.MILLISECONDS)) {
        var state = table.state();
        if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
          log.error("fleet table stopped ({}){}", state.name().toLowerCase(java.util.Locale.ROOT), causes(table.failure()));
          return 1;  // systemd restarts it
        }
        if (!running && (state == KafkaStreams.State.RUNNING || System.nanoTime() > warnAfter)) {
          running = true;
          // not before: a first start waits on topics Kafka Streams creates; but a table that does not come up says why
          LogLayout.showKafkaWarnings();
          if (state != KafkaStreams.State.RUNNING) {
            log.warn("fleet table still {} after 60 s: Kafka's warnings follow", state.name().toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
      log.info("stopping");
    }
    log.info("stopped");
    return 0;
  }

  /** {@code : what (class: message) <- its cause …} on one line, or nothing. */
  static String causes(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null && out.length() < 1000; c = c.getCause() == c ? null : c.getCause()) {
      out.append(out.isEmpty() ? ": " : " <- ").append(c.getClass().getSimpleName()).append(": ")
          .append(String.valueOf(c.getMessage()).replace('\n', ' '));
    }
    return out.toString();
  }

  /** The client settings of the config's tls and sasl: what every Kafka client of the table needs. */
  static Map<String, String> security(Config.KafkaConfig k) {
    Map<String, String> out = new LinkedHashMap<>();
    k.producer().forEach((key, v) -> {
      if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
        out.put(key, v);
      }
    });
    return out;
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new CliException("--listen: '" + hostPort + "' is not HOST:PORT");
    }
  }
}
