package io.bpfmap.exporter;

import io.bpfmap.core.record.JsonOut;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.stream.StreamStats;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The export daemon: every configured map read once per cycle and fed to Kafka, Prometheus and
 * stdout; a failed map retried with backoff while the others run; a status line on stderr.
 */
final class Daemon implements AutoCloseable {
  private final Config cfg;
  private final PrintStream status;
  private final List<MapPipeline> pipelines = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("bpfmap-supervisor").factory());
  private final Map<String, long[]> lastCounts = new HashMap<>();
  private PrometheusMeterRegistry registry;
  private MetricsServer server;
  private KafkaSink kafka;

  Daemon(Config cfg, PrintStream status) {
    this.cfg = cfg;
    this.status = status;
  }

  /** Starts every sink and map; any failure here is a start-up error (the caller exits 2). */
  void start() {
    try {
      if (cfg.prometheus() != null) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = MetricsServer.start(new InetSocketAddress(cfg.prometheus().host(), cfg.prometheus().port()), registry);
      }
      if (cfg.kafka() != null) {
        var k = cfg.kafka();
        kafka = KafkaSink.builder().bootstrapServers(k.bootstrapServers()).topic(k.topic()).node(cfg.node())
            .producerProperties(k.producer()).createTopics(k.createTopics()).maxInFlight(k.maxInFlight())
            .producerProperty("max.block.ms", Long.toString(Math.max(1000, k.connectTimeout().toMillis())))
            .build();
        kafka.checkReachable(k.connectTimeout());
      }
      for (Config.MapConfig m : cfg.maps()) {
        MapPipeline p = new MapPipeline(m, kafka, registry, server, cfg.stdout() ? stdoutPrinter(m) : null);
        p.start();
        pipelines.add(p);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    timer.scheduleWithFixedDelay(() -> pipelines.forEach(MapPipeline::supervise), 1, 1, TimeUnit.SECONDS);
    long every = cfg.statusInterval().toMillis();
    timer.scheduleAtFixedRate(() -> status.println(statusLine(every / 1000.0)), every, every, TimeUnit.MILLISECONDS);
  }

  /** {@code bpfmap: flows 1250 entries/s 10000 acked 0 in flight 0 errors | …} */
  String statusLine(double seconds) {
    StringBuilder sb = new StringBuilder("bpfmap:");
    for (MapPipeline p : pipelines) {
      StreamStats s = p.stats();
      long read = s == null ? 0 : s.entriesRead();
      long[] last = lastCounts.getOrDefault(p.name(), new long[] {0});
      double rate = Math.max(0, read - last[0]) / seconds;
      lastCounts.put(p.name(), new long[] {read});
      sb.append(sb.length() > 7 ? " |" : "").append(' ').append(p.name())
          .append(String.format(Locale.ROOT, " %.0f entries/s", rate));
      if (kafka != null) {
        sb.append(' ').append(p.acknowledged()).append(" acked ").append(p.inFlight()).append(" in flight");
      }
      sb.append(' ').append(s == null ? "down" : s.errors() + " errors");
    }
    return sb.toString();
  }

  List<MapPipeline> pipelines() {
    return pipelines;
  }

  int metricsPort() {
    return server == null ? -1 : server.port();
  }

  /** Stops polling, flushes Kafka, closes everything. */
  @Override
  public void close() {
    timer.shutdownNow();
    pipelines.forEach(p -> p.stop(Duration.ofSeconds(30)));
    if (kafka != null) {
      kafka.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static final byte[] KIND = JsonOut.member(',', "kind");
  private static final byte[] CPU = JsonOut.member(',', "cpu");
  private static final byte[] KEY = JsonOut.member(',', "key");
  private static final byte[] VALUE = JsonOut.member(',', "value");


  /** JSON Lines of events: {"map":…,"cycle":…,"kind":…,"key":…,"value":…}. */
  private static Consumer<MapEvent> stdoutPrinter(Config.MapConfig m) {
    RecordJsonWriter keys = m.key().jsonWriter();
    RecordJsonWriter values = m.mask().compile(m.value()).jsonWriter();
    JsonOut json = new JsonOut();
    byte[] head = new JsonOut().raw(JsonOut.member('{', "map")).string(m.name()).raw(JsonOut.member(',', "cycle"))
        .take();
    return e -> {
      if (e.kind() == MapEvent.Kind.CYCLE_END) {
        return;
      }
      json.raw(head).number(e.cycle()).raw(KIND).string(e.kind().name());
      if (e.cpu() >= 0) {
        json.raw(CPU).number(e.cpu());
      }
      keys.write(json.raw(KEY), e.rawKey(), 0);
      if (e.kind() == MapEvent.Kind.UPSERT) {
        values.write(json.raw(VALUE), e.rawValue(), 0);
      }
      String line = new String(json.raw('}').take(), StandardCharsets.UTF_8);
      synchronized (System.out) {
        System.out.println(line);
      }
    };
  }
}
