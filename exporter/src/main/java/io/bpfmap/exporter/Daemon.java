package io.bpfmap.exporter;

import io.bpfmap.core.stream.StreamStats;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.metrics.MetricsServer;
import io.bpfmap.metrics.OtlpPush;
import io.bpfmap.metrics.ProcessMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export daemon: the configured programs loaded and attached first; every configured map read
 * once per cycle and fed to Kafka, Prometheus and stdout, each under its own supervisor (retried
 * with backoff while the others run, followed when its pin is replaced); every ring streamed to the
 * same sinks; a status event per map and ring in the log; a stop in order within the stop timeout,
 * programs detached last.
 */
final class Daemon implements AutoCloseable {
  private final Config cfg;
  private final boolean status;
  private final List<Pipeline> pipelines = new ArrayList<>();
  private LoadedPrograms programs;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("bpfmap-status").factory());
  private final Map<String, long[]> lastCounts = new HashMap<>();
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
  /** How often what Kafka holds of each CHANGES map goes to the state directory, between stops. */
  private static final long CHECKPOINT_SECONDS = 60;
  private static final Logger STATUS = LoggerFactory.getLogger("io.bpfmap.status");
  private PrometheusMeterRegistry registry;
  /** Where meters go: the Prometheus registry, OTLP's, or both together; null with neither. */
  private MeterRegistry meters;
  private OtlpPush otlp;
  private volatile boolean stopped;
  private volatile boolean started;
  private MetricsServer server;
  private ProcessMeters processMeters;
  private KafkaSink kafka;

  /** {@code status}: log each map's figures every {@code status-interval}. */
  Daemon(Config cfg, boolean status) {
    this.cfg = cfg;
    this.status = status;
  }

  /** Starts every sink and map; any failure here is a start-up error (the caller exits 2). */
  void start() {
    try {
      meters = meterRegistries();
      if (meters != null) {
        processMeters = new ProcessMeters(Main.VERSION.substring("bpfmap ".length()));
        processMeters.bindTo(meters);
      }
      if (cfg.prometheus() != null) {
        server = MetricsServer.start(new InetSocketAddress(cfg.prometheus().host(), cfg.prometheus().port()), registry,
            cfg.prometheus().web());
      }
      if (cfg.kafka() != null) {
        var k = cfg.kafka();
        kafka = SinkConfigs.sink(k, cfg.node())
            .producerProperty("max.block.ms", Long.toString(Math.max(1000, k.connectTimeout().toMillis()))).build();
        kafka.checkReachable(k.connectTimeout());
      }
      programs = LoadedPrograms.load(cfg.programs());
      for (Config.MapConfig m : cfg.maps()) {
        MapPipeline p = new MapPipeline(m.withSelector(programs.resolve(m.selector(), m.at() + ".kernel-name")), kafka,
            meters, registry, server, cfg.stdout(), stateDir());
        pipelines.add(p);
        p.start();
      }
      java.util.Map<Integer, String> rings = new java.util.HashMap<>();
      for (SourceConfigs.RingConfig r : cfg.rings()) {
        RingPipeline p = new RingPipeline(r, programs, kafka, meters, server, cfg.stdout(), rings);
        pipelines.add(p);
        p.start();
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    started = true;
    long every = cfg.statusInterval().toMillis();
    if (status) {
      timer.scheduleAtFixedRate(() -> logStatus(every / 1000.0), every, every, TimeUnit.MILLISECONDS);
    }
    Duration beat = cfg.kafka() == null ? null : cfg.kafka().changeEvents().heartbeatInterval();
    if (beat != null) {
      timer.scheduleAtFixedRate(this::heartbeat, 0, beat.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (cfg.stateDir() != null) {
      timer.scheduleWithFixedDelay(() -> pipelines.forEach(Pipeline::checkpoint), CHECKPOINT_SECONDS,
          CHECKPOINT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** This node's heartbeat: the last cycle of each map and ring, even when nothing changes. */
  private void heartbeat() {
    try {
      Map<String, Long> cycles = new java.util.LinkedHashMap<>();
      for (Pipeline p : pipelines) {
        StreamStats s = p.stats();
        cycles.put(p.name(), s == null ? 0 : s.cycles());
      }
      kafka.heartbeat(cfg.kafka().changeEvents().heartbeatTopic(), cfg.kafka().changeEvents().heartbeatInterval(),
          cycles);
    } catch (RuntimeException e) {
      LOG.warn("heartbeat: {}", e.getMessage());
    }
  }

  /** The state directory, created if missing; null without one. */
  private java.nio.file.Path stateDir() {
    if (cfg.stateDir() == null) {
      return null;
    }
    try {
      return java.nio.file.Files.createDirectories(cfg.stateDir());
    } catch (java.io.IOException e) {
      throw new CliException("state-dir: cannot create " + cfg.stateDir() + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** The Prometheus registry and OTLP's push, as configured; one composite when both are. */
  private MeterRegistry meterRegistries() {
    if (cfg.prometheus() != null) {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
    if (cfg.otlp() != null) {
      var o = cfg.otlp();
      List<String> names = new java.util.ArrayList<>();
      cfg.maps().forEach(m -> names.add(m.name()));
      cfg.rings().forEach(r -> names.add(r.name()));
      otlp = OtlpPush.start(new OtlpPush.Settings(o.endpoint(), o.headers(), o.interval(), cfg.node(),
          o.resourceAttributes()), names);
    }
    if (registry != null && otlp != null) {
      return new CompositeMeterRegistry().add(registry).add(otlp.registry());
    }
    return registry != null ? registry : otlp == null ? null : otlp.registry();
  }

  /**
   * One status event per map, with its figures as key-value pairs: {@code map}, {@code entries_per_s}
   * (read from the kernel since the last status), {@code entries_read_total}, with Kafka
   * {@code acked_total} and {@code in_flight}, {@code errors_total} and {@code state}.
   */
  void logStatus(double seconds) {
    for (Pipeline p : pipelines) {
      StreamStats s = p.stats();
      long read = s == null ? 0 : s.entriesRead();
      long[] last = lastCounts.getOrDefault(p.name(), new long[] {0});
      lastCounts.put(p.name(), new long[] {read});
      var event = STATUS.atInfo().addKeyValue("map", p.name())
          .addKeyValue("entries_per_s", Math.round(Math.max(0, read - last[0]) / seconds))
          .addKeyValue("entries_read_total", read);
      if (kafka != null) {
        event = event.addKeyValue("acked_total", p.acknowledged()).addKeyValue("in_flight", p.inFlight());
      }
      event.addKeyValue("errors_total", s == null ? 0 : s.errors())
          .addKeyValue("state", s == null ? "down" : p.state()).log("status");
    }
  }

  List<Pipeline> pipelines() {
    return pipelines;
  }

  int metricsPort() {
    return server == null ? -1 : server.port();
  }

  /** Stops within the configured stop timeout; see {@link #stop(Duration)}. */
  @Override
  public void close() {
    stop(cfg.stopTimeout());
  }

  /**
   * Stops in order, within {@code timeout}: every map stops taking events and its sinks settle
   * (Kafka: records acknowledged); past {@code timeout} minus a reserve, what Kafka has not taken
   * is given back, and closing the producer fails the rest, which gives each DRAIN entry back to
   * its map; only then are the maps closed. Logs what was not delivered.
   */
  void stop(Duration timeout) {
    if (stopped) {
      return;
    }
    stopped = true;
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    long reserve = Math.min(Duration.ofSeconds(5).toNanos(), timeout.toNanos() / 4);
    timer.shutdownNow();
    if (otlp != null) {
      otlp.close();  // one last push, of the meters as the last cycles left them
    }
    pipelines.forEach(Pipeline::stopTaking);
    boolean settled = awaitStopped(deadline - reserve);
    if (kafka != null) {
      if (!settled) {
        pipelines.forEach(Pipeline::abandon);
      }
      kafka.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    awaitStopped(System.nanoTime() + Duration.ofSeconds(5).toNanos());
    pipelines.forEach(p -> p.close(Duration.ZERO));
    if (programs != null) {
      programs.close();
    }
    if (server != null) {
      server.close();
    }
    if (processMeters != null) {
      processMeters.close();
    }
    if (!started) {
      return;
    }
    long unsettled = pipelines.stream().mapToLong(Pipeline::inFlight).sum();
    long givenBack = pipelines.stream().mapToLong(Pipeline::givenBack).sum();
    LOG.info("stopped in {} ms: {} records acknowledged, {} drained entries given back to their maps{}",
        (System.nanoTime() - start) / 1_000_000, pipelines.stream().mapToLong(Pipeline::acknowledged).sum(),
        givenBack, unsettled == 0 ? "" : ", " + unsettled + " records unsettled");
  }

  /** Waits until every pipeline has stopped or the deadline (nanoTime) passes; true when all did. */
  private boolean awaitStopped(long deadline) {
    for (Pipeline p : pipelines) {
      long left = deadline - System.nanoTime();
      try {
        p.stopped().toFuture().get(Math.max(0, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException late) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.warn("map '{}': stopping failed: {}", p.name(), e.getCause().getMessage());
      }
    }
    return true;
  }
}
