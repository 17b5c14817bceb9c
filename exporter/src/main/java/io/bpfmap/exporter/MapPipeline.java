package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.StreamStats;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.metrics.MapMeters;
import io.bpfmap.metrics.MetricsServer;
import io.bpfmap.metrics.SelfMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * One map of the daemon: the pin opened (read-only unless DRAIN), one stream, and every sink
 * configured fed from its single read. When the stream fails (map gone, kernel error) everything
 * is torn down and rebuilt after a backoff of 1 s doubling to 30 s; other maps are not affected.
 */
final class MapPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(MapPipeline.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Config.MapConfig cfg;
  private final KafkaSink kafka;
  private final MeterRegistry registry;
  private final MetricsServer server;
  private final Consumer<MapEvent> stdout;
  private final SelfMetrics self;
  private BpfMap map;
  private MapStream stream;
  private KafkaExport export;
  private MapMeters meters;
  private Disposable printer;
  private Duration backoff = Duration.ofSeconds(1);
  private Instant retryAt;
  private volatile boolean stopped;
  private volatile long acknowledgedBefore;

  MapPipeline(Config.MapConfig cfg, KafkaSink kafka, MeterRegistry registry, MetricsServer server,
      Consumer<MapEvent> stdout) {
    this.cfg = cfg;
    this.kafka = kafka;
    this.registry = registry;
    this.server = server;
    this.stdout = stdout;
    this.self = new SelfMetrics(cfg.name(), () -> stream == null ? null : stream.stats(),
        () -> export == null ? 0 : export.sent(), () -> export == null ? 0 : export.failed());
  }

  /**
   * Opens and starts everything. A pin that does not exist yet (its BPF program may start later)
   * is retried with backoff like a failure; any other error (sizes, permissions) is the caller's
   * to report.
   */
  synchronized void start() {
    try {
      open();
    } catch (io.bpfmap.core.MapNotFoundException e) {
      LOG.warn("map '{}': {}; retrying in {} s", cfg.name(), e.getMessage(), backoff.toSeconds());
      retryAt = Instant.now().plus(backoff);
      if (server != null) {
        server.unopened(cfg.name(), e.getMessage());
      }
    }
    if (registry != null) {
      self.bindTo(registry);
    }
  }

  private void open() {
    OpenMode mode = cfg.mode() == Mode.DRAIN ? OpenMode.READ_WRITE : OpenMode.READ_ONLY;
    BpfMap m = BpfMap.openPinned(cfg.pin(), mode);
    try {
      check(m);
      MapStream s = MapStream.builder(m).name(cfg.name()).keyLayout(cfg.key()).valueLayout(cfg.value())
          .mask(cfg.mask()).mode(cfg.mode()).interval(cfg.interval()).batchSize(cfg.batchSize())
          .perCpu(cfg.perCpu()).subscribers(sinks()).build();
      map = m;
      stream = s;
      if (server != null) {
        server.watch(s.stats());
      }
      if (registry != null && !cfg.metrics().isEmpty()) {
        MapMeters.Builder b = MapMeters.builder(s).maxSeries(cfg.maxSeries());
        cfg.labels().forEach(b::label);
        cfg.metrics().forEach(x -> b.metric(x.field(), x.type(), x.description()));
        meters = b.build();
        meters.bindTo(registry);
      }
      if (kafka != null) {
        export = kafka.export(s);
      }
      if (stdout != null) {
        printer = s.events().subscribe(stdout, error -> { });
      }
      if (registry != null && self != null && stream != null) {
        self.attach(s.stats());
      }
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** How many sinks subscribe to this map's stream: the first cycle waits for all of them. */
  private int sinks() {
    int n = (kafka != null ? 1 : 0) + (stdout != null ? 1 : 0) + (registry != null && !cfg.metrics().isEmpty() ? 1 : 0);
    return Math.max(1, n);
  }

  private void check(BpfMap m) {
    if (m.keySize() != cfg.key().size()) {
      throw new CliException("map '" + cfg.name() + "' (" + cfg.pin() + "): the key layout is " + cfg.key().size()
          + " bytes, the map's keys are " + m.keySize() + " bytes");
    }
    if (m.info().valueSize() != cfg.value().size()) {
      throw new CliException("map '" + cfg.name() + "' (" + cfg.pin() + "): the value layout is "
          + cfg.value().size() + " bytes, the map's values are " + m.info().valueSize() + " bytes");
    }
  }

  /** Called periodically: notices a failed stream, tears it down, and reopens after the backoff. */
  synchronized void supervise() {
    if (stopped) {
      return;
    }
    if (stream != null && (stream.stats().errors() > 0 || exportFailed())) {
      Throwable why = stream.stats().lastError();
      LOG.warn("map '{}' failed: {}; retrying in {} s", cfg.name(), why == null ? "kafka refused records"
          : why.getMessage(), backoff.toSeconds());
      teardown(Duration.ofSeconds(10));
      retryAt = Instant.now().plus(backoff);
      return;
    }
    if (stream == null && retryAt != null && Instant.now().isAfter(retryAt)) {
      try {
        open();
        LOG.info("map '{}' is back", cfg.name());
        backoff = Duration.ofSeconds(1);
        retryAt = null;
      } catch (BpfException | CliException e) {
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        retryAt = Instant.now().plus(backoff);
        LOG.warn("map '{}' still failing: {}; retrying in {} s", cfg.name(), e.getMessage(), backoff.toSeconds());
        if (server != null) {
          server.unopened(cfg.name(), e.getMessage());
        }
      }
    }
  }

  private boolean exportFailed() {
    try {
      return export != null && export.done().toFuture().isCompletedExceptionally();
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** Stops polling, flushes Kafka, closes the map. */
  synchronized void stop(Duration flush) {
    stopped = true;
    teardown(flush);
  }

  private void teardown(Duration flush) {
    if (export != null) {
      long left = export.stop(flush);
      acknowledgedBefore = export.acknowledged();
      if (left > 0) {
        LOG.warn("map '{}': {} records were not acknowledged when stopping", cfg.name(), left);
      }
      export = null;
    }
    if (meters != null) {
      meters.close();
      meters = null;
    }
    if (printer != null) {
      printer.dispose();
      printer = null;
    }
    if (map != null) {
      map.close();
      map = null;
    }
    stream = null;
  }

  String name() {
    return cfg.name();
  }

  StreamStats stats() {
    MapStream s = stream;
    return s == null ? null : s.stats();
  }

  /** Records Kafka acknowledged (after a stop: what the last export got acknowledged). */
  long acknowledged() {
    KafkaExport e = export;
    return e == null ? acknowledgedBefore : e.acknowledged();
  }

  long inFlight() {
    KafkaExport e = export;
    return e == null ? 0 : e.inFlight();
  }
}
