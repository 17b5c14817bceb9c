package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.stream.ChangesState;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.MapSupervisor;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.core.stream.RecordView;
import io.bpfmap.core.stream.StreamStats;
import io.bpfmap.kafka.KafkaExport;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.metrics.MapHistograms;
import io.bpfmap.metrics.MapMeters;
import io.bpfmap.metrics.MetricsServer;
import io.bpfmap.metrics.SelfMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * One map of the daemon: a {@link MapSupervisor} that opens the map (read-only unless DRAIN),
 * builds one stream, and attaches every configured sink to its single read: the Kafka export,
 * the meters, stdout. The supervisor retries, follows a replaced pin and reports on /health; this
 * class says what a generation's sinks are and keeps the Kafka counters across generations.
 */
final class MapPipeline implements Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(MapPipeline.class);

  private final Config.MapConfig cfg;
  private final KafkaSink kafka;
  /** Where meters go (Prometheus, OTLP or both); null with neither. */
  private final MeterRegistry registry;
  /** Where histograms go: Prometheus only; null without it. */
  private final PrometheusMeterRegistry prometheus;
  private final MetricsServer server;
  private final boolean stdout;
  private final MapSupervisor supervisor;
  private final SelfMetrics self;
  /** Kafka figures of the generations that ended. */
  private final AtomicLong sentBefore = new AtomicLong();
  private final AtomicLong failedBefore = new AtomicLong();
  private final AtomicLong ackedBefore = new AtomicLong();
  private final AtomicLong givenBefore = new AtomicLong();
  private volatile Sinks current;
  /** CHANGES into Kafka with a state directory: what Kafka holds of this node's map, and its file. */
  private final Path changesFile;
  private volatile ChangesState changes;

  MapPipeline(Config.MapConfig cfg, KafkaSink kafka, MeterRegistry registry, PrometheusMeterRegistry prometheus,
      MetricsServer server, boolean stdout, Path stateDir) {
    this.cfg = cfg;
    this.changesFile = stateDir != null && kafka != null && cfg.mode() == Mode.CHANGES
        ? stateDir.resolve(cfg.name() + ".changes") : null;
    this.kafka = kafka;
    this.registry = registry;
    this.prometheus = prometheus;
    this.server = server;
    this.stdout = stdout;
    this.supervisor = MapSupervisor.builder(cfg.name(), cfg.selector())
        .openMode(cfg.mode() == Mode.DRAIN ? OpenMode.READ_WRITE : OpenMode.READ_ONLY)
        .stream(this::stream).attach(Sinks::new).build();
    this.self = new SelfMetrics(cfg.name(), supervisor::stats, this::sent, this::failed);
  }

  /**
   * Starts the supervisor: a pin that does not exist yet (its BPF program may start later) is
   * retried in the background; any other error (sizes, permissions) is thrown for the caller to
   * report.
   */
  @Override
  public void start() {
    if (server != null) {
      server.watch(supervisor);
    }
    if (registry != null) {
      self.bindTo(registry);
    }
    supervisor.start();
  }

  /**
   * This generation's stream: the layouts configured, or those of the map's BTF (read again for
   * each map the selector finds, so a re-created map brings its own), checked with what depends
   * on them.
   */
  private MapStream stream(BpfMap m) {
    ParsedMap layouts = cfg.parse(m);
    CompiledMask visible = cfg.check(layouts.keyLayout(), layouts.valueLayout(), cfg.at());
    MapStream.Builder b = MapStream.builder(m).name(cfg.name()).keyLayout(layouts.keyLayout())
        .valueLayout(layouts.valueLayout()).trustLayouts(true).mask(cfg.mask()).mode(cfg.mode())
        .interval(cfg.interval()).batchSize(cfg.batchSize()).perCpu(cfg.perCpu()).subscribers(sinkCount());
    if (changesFile != null && (m.valuesPerKey() == 1 || cfg.perCpu() != PerCpuPolicy.PER_CPU)) {
      // every stream of this map, a restart's first one too, starts from what Kafka holds
      String identity = ChangesState.identity(layouts.keyLayout(), visible, cfg.perCpu());
      ChangesState held = changes;
      if (held == null) {
        held = ChangesState.load(changesFile, identity, m.keySize());
        LOG.info("map '{}': Kafka holds {} of its keys ({}): only what differs is sent", cfg.name(), held.size(),
            changesFile);
      }
      changes = held.rebased(identity);
      b.changesBaseline(changes);
    }
    return b.build();
  }

  /** Writes what Kafka holds of the map to the state file (after the last acknowledgement); logs a failure. */
  private void saveChanges() {
    ChangesState held = changes;
    if (held == null) {
      return;
    }
    try {
      held.save(changesFile);
      LOG.info("map '{}': {} keys Kafka holds saved to {}", cfg.name(), held.size(), changesFile);
    } catch (BpfException e) {
      LOG.warn("map '{}': {}; the next start sends every entry", cfg.name(), e.getMessage());
    }
  }

  /**
   * What Kafka acknowledged so far, to the state file: after a crash, the next start sends what
   * changed since this checkpoint again (duplicates a compacted topic absorbs) instead of every entry.
   */
  @Override
  public void checkpoint() {
    ChangesState held = changes;
    if (held != null) {
      try {
        held.save(changesFile);
      } catch (BpfException e) {
        LOG.warn("map '{}': checkpoint: {}", cfg.name(), e.getMessage());
      }
    }
  }

  /** How many sinks subscribe to this map's stream: the first cycle waits for all of them. */
  private int sinkCount() {
    int n = (kafka != null ? 1 : 0) + (stdout ? 1 : 0) + (meters() ? 1 : 0) + histograms().size();
    return Math.max(1, n);
  }

  private boolean meters() {
    return registry != null && !cfg.metrics().isEmpty();
  }

  private List<HistogramConfigs.HistogramConfig> histograms() {
    return prometheus == null ? List.of() : cfg.histograms();
  }

  /** The sinks of one generation, all fed by its stream. */
  private final class Sinks implements MapSupervisor.Attachment {
    private final KafkaExport export;
    private final MapMeters meters;
    private final List<MapHistograms> histograms = new ArrayList<>();
    private final Disposable printer;

    Sinks(MapStream s) {
      MapMeters m = null;
      KafkaExport e = null;
      Disposable p = null;
      try {
        if (meters()) {
          MapMeters.Builder b = MapMeters.builder(s).maxSeries(cfg.maxSeries());
          cfg.labels().forEach(b::label);
          cfg.metrics().forEach(x -> b.metric(x.field(), x.type(), x.description()));
          m = b.build();
          m.bindTo(registry);
        }
        for (HistogramConfigs.HistogramConfig h : histograms()) {
          MapHistograms built = h.builder(cfg.labels(), cfg.maxSeries()).build(s);
          histograms.add(built);
          built.bindTo(prometheus);
        }
        if (kafka != null) {
          e = changes != null ? kafka.export(s, changes) : kafka.export(s);
        }
        if (stdout) {
          p = s.events().subscribe(stdoutPrinter(cfg.name(), s.view()), error -> LOG.warn("map '{}': stdout stops with the stream: {}",
              cfg.name(), error.getMessage()));
        }
      } catch (RuntimeException failed) {
        if (m != null) {
          m.close();
        }
        histograms.forEach(MapHistograms::close);
        if (e != null) {
          e.stopTaking();
        }
        throw failed;
      }
      this.meters = m;
      this.export = e;
      this.printer = p;
      if (registry != null) {
        self.attach(s.stats());
      }
      current = this;
    }

    @Override
    public Mono<Void> failure() {
      return export == null ? Mono.never() : export.done();
    }

    @Override
    public void stopTaking() {
      if (export != null) {
        export.stopTaking();
      }
      if (meters != null) {
        meters.close();
      }
      histograms.forEach(MapHistograms::close);
      if (printer != null) {
        printer.dispose();
      }
    }

    @Override
    public Mono<Void> settled() {
      return export == null ? Mono.empty() : export.settled();
    }

    /** Gives up on what Kafka has not taken yet (the daemon's stop, past its deadline). */
    void abandon() {
      if (export != null) {
        export.abandon();
      }
    }

    @Override
    public void close() {
      if (current == this) {
        current = null;
      }
      if (export != null) {
        sentBefore.addAndGet(export.sent());
        failedBefore.addAndGet(export.failed());
        ackedBefore.addAndGet(export.acknowledged());
        givenBefore.addAndGet(export.givenBack());
        export.close();
      }
    }
  }

  private static final byte[] KIND = JsonOut.member(',', "kind");
  private static final byte[] CPU = JsonOut.member(',', "cpu");
  private static final byte[] KEY = JsonOut.member(',', "key");
  private static final byte[] VALUE = JsonOut.member(',', "value");

  /** JSON Lines of events: {"map":…,"cycle":…,"kind":…,"key":…,"value":…}. */
  static Consumer<MapEvent> stdoutPrinter(String name, RecordView view) {
    RecordJsonWriter keys = view.keyLayout() == null ? null : view.keyLayout().jsonWriter();
    RecordJsonWriter values = view.valueWriter();
    JsonOut json = new JsonOut();
    byte[] head = new JsonOut().raw(JsonOut.member('{', "map")).string(name).raw(JsonOut.member(',', "cycle")).take();
    return e -> {
      if (e.kind() == MapEvent.Kind.CYCLE_END) {
        return;
      }
      json.raw(head).number(e.cycle()).raw(KIND).string(e.kind().name());
      if (e.cpu() >= 0) {
        json.raw(CPU).number(e.cpu());
      }
      if (keys != null) {
        keys.write(json.raw(KEY), e.rawKey(), 0);
      }
      if (e.kind() == MapEvent.Kind.UPSERT || e.kind() == MapEvent.Kind.EVENT) {
        values.write(json.raw(VALUE), e.rawValue(), 0);
      }
      String line = new String(json.raw('}').take(), StandardCharsets.UTF_8);
      synchronized (System.out) {
        System.out.println(line);
      }
    };
  }

  /** Phase one of a stop: no new generation; the current one's sinks stop taking and settle. */
  @Override
  public void stopTaking() {
    supervisor.stop();
  }

  /** Completes once the supervisor has closed its last generation. */
  @Override
  public Mono<Void> stopped() {
    return supervisor.stopped();
  }

  /** Past the stop's deadline: what Kafka has not taken is given back now, the rest as the sink closes. */
  @Override
  public void abandon() {
    Sinks s = current;
    if (s != null) {
      s.abandon();
    }
  }

  /** Last phase: closes whatever is still open, settled or not. */
  @Override
  public void close(Duration wait) {
    supervisor.close(wait);
    saveChanges();
  }

  @Override
  public String name() {
    return cfg.name();
  }

  MapSupervisor.Status status() {
    return supervisor.status();
  }

  @Override
  public String state() {
    return supervisor.status().state().name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public StreamStats stats() {
    return supervisor.stats();
  }

  private long sent() {
    Sinks s = current;
    return sentBefore.get() + (s == null || s.export == null ? 0 : s.export.sent());
  }

  private long failed() {
    Sinks s = current;
    return failedBefore.get() + (s == null || s.export == null ? 0 : s.export.failed());
  }

  /** Records Kafka acknowledged, over every generation. */
  @Override
  public long acknowledged() {
    Sinks s = current;
    return ackedBefore.get() + (s == null || s.export == null ? 0 : s.export.acknowledged());
  }

  /** DRAIN entries given back to the map, over every generation. */
  @Override
  public long givenBack() {
    Sinks s = current;
    return givenBefore.get() + (s == null || s.export == null ? 0 : s.export.givenBack());
  }

  @Override
  public long inFlight() {
    Sinks s = current;
    return s == null || s.export == null ? 0 : s.export.inFlight();
  }
}
