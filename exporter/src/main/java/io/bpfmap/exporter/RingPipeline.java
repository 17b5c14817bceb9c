package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.StreamStats;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.metrics.RingMeters;
import io.bpfmap.metrics.SelfMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One ring of the daemon: the ring's map (and the map where its program counts what the ring had
 * no room for) opened once, one {@link EventStream} shared by every sink: Kafka (an append-only
 * topic), the event counter by labels, stdout. Stopping closes the stream, which completes it
 * after the records already read, so that the sinks get every record taken out of the kernel.
 * A ring is not reopened: an error ends it, logged and counted.
 */
final class RingPipeline implements Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(RingPipeline.class);

  private final SourceConfigs.RingConfig cfg;
  private final LoadedPrograms programs;
  private final KafkaSink kafka;
  private final MeterRegistry registry;
  private final boolean stdout;
  private final io.bpfmap.metrics.MetricsServer server;
  /** The rings this daemon reads, by map id, to YAML path: a ring has one reader. */
  private final java.util.Map<Integer, String> claimed;
  private BpfMap ring;
  private BpfMap lostCounter;
  private EventStream stream;
  private KafkaExport export;
  private RingMeters meters;
  private SelfMetrics self;
  private Disposable printer;
  private volatile String state = "starting";

  RingPipeline(SourceConfigs.RingConfig cfg, LoadedPrograms programs, KafkaSink kafka, MeterRegistry registry,
      io.bpfmap.metrics.MetricsServer server, boolean stdout, java.util.Map<Integer, String> claimed) {
    this.server = server;
    this.claimed = claimed;
    this.cfg = cfg;
    this.programs = programs;
    this.kafka = kafka;
    this.registry = registry;
    this.stdout = stdout;
  }

  /** Opens the ring and starts its sinks; any failure is a start-up error naming the ring's YAML path. */
  @Override
  public void start() {
    try {
      ring = open(cfg, programs);
      claim(ring, cfg, claimed);
      if (cfg.lostCounter() != null) {
        lostCounter = programs.resolve(io.bpfmap.core.MapSelector.name(cfg.lostCounter()), cfg.at() + ".lost-counter")
            .open(OpenMode.READ_ONLY);
      }
      RecordLayout layout = cfg.value() != null ? cfg.value() : programs.layout(ring, cfg.valueType(), cfg.at() + ".value");
      int sinks = (kafka != null ? 1 : 0) + (registry != null ? 1 : 0) + (stdout ? 1 : 0);
      EventStream.Builder b = EventStream.builder(ring).name(cfg.name()).valueLayout(layout).mask(cfg.mask())
          .perfPages(cfg.perfPages()).subscribers(Math.max(1, sinks));
      if (lostCounter != null) {
        b.lostCounter(lostCounter);
      }
      try {
        stream = b.build();
        cfg.mask().compile(layout);
      } catch (BpfException e) {
        throw new CliException(cfg.at() + ": " + e.getMessage(), e);
      }
      if (registry != null) {
        RingMeters.Builder m = RingMeters.builder(stream).maxSeries(cfg.maxSeries());
        cfg.labels().forEach(m::label);
        try {
          meters = m.build();
        } catch (IllegalArgumentException e) {
          throw new CliException(cfg.at() + ".labels: " + e.getMessage(), e);
        }
        meters.bindTo(registry);
      }
      if (kafka != null) {
        export = kafka.export(stream);
      }
      if (registry != null) {
        self = export == null ? new SelfMetrics(stream.stats())
            : new SelfMetrics(stream.stats(), export::sent, export::failed);
        self.bindTo(registry);
      }
      if (stdout) {
        printer = stream.events().subscribe(MapPipeline.stdoutPrinter(cfg.name(), stream.view()),
            error -> LOG.warn("ring '{}': stdout stops with the stream: {}", cfg.name(), error.getMessage()));
      }
      if (server != null) {
        server.watch(stream.stats());
      }
      stream.stats().onError(e -> {
        state = "failed";
        LOG.error("ring '{}' failed: {}", cfg.name(), e.getMessage());
      });
      state = "up";
    } catch (RuntimeException e) {
      close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * Opens a ring as the daemon reads it, tried once with a reader (its mapping, or a perf buffer on
   * every CPU), so that what the kernel refuses is a start-up error, not a stream that ends at once.
   */
  static BpfMap open(SourceConfigs.RingConfig cfg, LoadedPrograms programs) {
    BpfMap ring = programs.resolve(cfg.selector(), cfg.at()).open(OpenMode.READ_WRITE);
    try (io.bpfmap.core.EventReader probe = io.bpfmap.core.EventReader.open(ring, cfg.perfPages())) {
      probe.lost();
      return ring;
    } catch (BpfException e) {
      ring.close();
      throw new CliException(cfg.at() + ": " + e.getMessage(), e);
    }
  }

  /** Takes the ring for this config: refused when another ring of the config reads the same map. */
  static void claim(BpfMap ring, SourceConfigs.RingConfig cfg, java.util.Map<Integer, String> claimed) {
    String before = claimed.putIfAbsent(ring.info().id(), cfg.at());
    if (before != null) {
      throw new CliException(cfg.at() + ": " + before + " reads this ring already (map id " + ring.info().id()
          + "): a ring has one reader, and each record would go to one of them");
    }
  }

  @Override
  public String name() {
    return cfg.name();
  }

  @Override
  public StreamStats stats() {
    return stream == null ? null : stream.stats();
  }

  @Override
  public String state() {
    return state;
  }

  @Override
  public long acknowledged() {
    return export == null ? 0 : export.acknowledged();
  }

  @Override
  public long inFlight() {
    return export == null ? 0 : export.inFlight();
  }

  @Override
  public long givenBack() {
    return 0;
  }

  /** Closes the stream: it completes after the records already read, and the sinks settle. */
  @Override
  public void stopTaking() {
    if (stream != null) {
      stream.close();
    }
  }

  @Override
  public Mono<Void> stopped() {
    return export == null ? Mono.empty() : export.settled();
  }

  @Override
  public void abandon() {
    if (export != null) {
      export.abandon();
    }
  }

  @Override
  public void close(Duration wait) {
    state = "stopped";
    if (stream != null) {
      stream.close();
    }
    if (printer != null) {
      printer.dispose();
    }
    if (export != null) {
      export.close();
    }
    if (meters != null) {
      meters.close();
    }
    if (lostCounter != null) {
      lostCounter.close();
    }
    if (ring != null) {
      ring.close();
    }
  }
}
