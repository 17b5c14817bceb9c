package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.LayoutMismatchException;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.metrics.LabelDecoder;
import io.bpfmap.metrics.MapMeters;
import io.bpfmap.metrics.WebConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's configuration (README "Config reference"), read from YAML strictly: unknown keys are
 * errors, and every error names its YAML path: {@code maps[0].mode: unknown mode 'chnges'}.
 */
record Config(String node, List<SourceConfigs.ProgramConfig> programs, List<MapConfig> maps,
    List<SourceConfigs.RingConfig> rings, KafkaConfig kafka, PromConfig prometheus, OtlpConfig otlp, boolean stdout,
    Duration statusInterval, Duration stopTimeout, Path stateDir, FleetConfigs fleet) {

  /** The default stop timeout; packaging/bpfmap.service's TimeoutStopSec leaves 10 s more for the JVM. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  /**
   * One map: where it is found ({@code pin}, {@code id} or {@code kernel-name}), its layouts (null:
   * the map's BTF gives them when it opens), and what to do with it; {@code at} is its YAML path
   * ({@code maps[0]}), which errors about it start with.
   */
  record MapConfig(String name, MapSelector selector, RecordLayout key, RecordLayout value, PermissionMask mask,
      Mode mode, Duration interval, int batchSize, PerCpuPolicy perCpu, Map<String, LabelDecoder> labels,
      List<MapMeters.Metric> metrics, List<HistogramConfigs.HistogramConfig> histograms, int maxSeries,
      boolean trustLayouts, String at) {

    /** This map found by {@code selector} instead (a loaded program's map, by id). */
    MapConfig withSelector(MapSelector selector) {
      return new MapConfig(name, selector, key, value, mask, mode, interval, batchSize, perCpu, labels, metrics,
          histograms, maxSeries, trustLayouts, at);
    }

    /** {@return true when Prometheus reads this map: metrics or histograms} */
    boolean scraped() {
      return !metrics.isEmpty() || !histograms.isEmpty();
    }

    /** The map through this config's layouts (null: BTF's); one that does not fit names its YAML path. */
    ParsedMap parse(BpfMap map) {
      try {
        return map.parsed(key, value, trustLayouts);
      } catch (LayoutMismatchException e) {
        throw new CliException(at + "." + e.role() + ": " + e.getMessage(), e);
      }
    }

    /**
     * Checks what depends on the layouts (the mask, labels, metric fields, batch buffers) against
     * these; a null layout is not known yet and its checks wait. {@code at} starts each message.
     */
    CompiledMask check(RecordLayout key, RecordLayout value, String at) {
      CompiledMask compiled = null;
      if (value != null) {
        try {
          compiled = mask.compile(value);
        } catch (BpfException e) {
          throw new CliException(at + ".mask: " + e.getMessage().replaceFirst("^mask ?", ""), e);
        }
        for (int i = 0; i < metrics.size(); i++) {
          try {
            compiled.accessor(metrics.get(i).field());
          } catch (BpfException e) {
            throw new CliException(at + ".metrics[" + i + "].field: " + e.getMessage().replaceFirst("^mask ", ""), e);
          }
        }
        if (key != null) {
          for (HistogramConfigs.HistogramConfig h : histograms) {
            h.check(name, key, compiled, labels);
          }
        }
      }
      if (key != null) {
        for (Map.Entry<String, LabelDecoder> label : labels.entrySet()) {
          String field = label.getKey();
          if (!key.leafPaths().contains(field)) {
            throw new CliException(at + ".labels." + field + ": not a field of the key layout");
          }
          String refused = label.getValue().refuses(key.sizeOf(field));
          if (refused != null) {
            throw new CliException(at + ".labels." + field + ": " + refused);
          }
          if (metrics.isEmpty() && !histograms.isEmpty()
              && histograms.stream().allMatch(h -> field.equals(h.bucketField()))) {
            throw new CliException(at + ".labels." + field + ": the bucket of " + histograms.getFirst().at()
                + ", not a label: a histogram's buckets are its le bounds");
          }
        }
      }
      if (key != null && value != null) {
        long buffers = (long) batchSize * (key.size() + value.size());
        if (buffers > MapStream.MAX_BATCH_BYTES) {
          throw new CliException(at + ".batch-size: " + batchSize + " entries of " + (key.size() + value.size())
              + " bytes need " + (buffers >> 20) + " MiB of buffers (at most " + (MapStream.MAX_BATCH_BYTES >> 20)
              + " MiB per map)");
        }
      }
      return compiled;
    }
  }

  record KafkaConfig(String bootstrapServers, String topic, Map<String, String> producer, boolean createTopics,
      int maxInFlight, Duration connectTimeout, Topics topics, ChangeEvents changeEvents) {}

  /**
   * What Kafka gets beside the entries: tombstones after d records, cycle markers, heartbeats.
   *
   * @param tombstones a CHANGES delete's tombstone after its d record
   * @param cycleMarkers begin and end markers around a cycle's records
   * @param heartbeatTopic where heartbeats go
   * @param heartbeatInterval between heartbeats; null for none
   */
  record ChangeEvents(boolean tombstones, boolean cycleMarkers, String heartbeatTopic, Duration heartbeatInterval) {
    static final ChangeEvents DEFAULT = new ChangeEvents(true, true, "bpfmap.heartbeats", Duration.ofSeconds(10));
  }

  /** How created topics are made: partitions, replication factor (null: the broker's default), configs. */
  record Topics(int partitions, Short replicationFactor, Map<String, String> configs) {}

  /** Where /metrics listens, and how it is secured ({@link WebConfig#NONE}: plain HTTP). */
  record PromConfig(String host, int port, WebConfig web) {
    PromConfig(String host, int port) {
      this(host, port, WebConfig.NONE);
    }
  }

  /**
   * Where meters are pushed with OTLP.
   *
   * @param endpoint the collector's URL ({@code http://collector:4318/v1/metrics})
   * @param headers headers of every push
   * @param interval time between pushes
   * @param resourceAttributes resource attributes besides service.name and host.name
   */
  record OtlpConfig(java.net.URI endpoint, Map<String, String> headers, Duration interval,
      Map<String, String> resourceAttributes) {}

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
  /** The longest duration any key takes. */
  static final Duration MAX_DURATION = Duration.ofDays(30);

  static Config load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new CliException(file + ": " + Inputs.why(e), e);
    }
    Object tree;
    try {
      tree = Inputs.yaml().readValue(text, Object.class);
    } catch (IOException e) {
      throw new CliException(file + ": " + Inputs.parseError(e), e);
    }
    try {
      return parse(new Substitution(System::getenv).apply(tree, ""));
    } catch (CliException e) {
      throw new CliException(file + ": " + e.getMessage(), e);
    }
  }

  static Config parse(Object tree) {
    Map<String, Object> root = YamlValues.object(tree, "");
    YamlValues.keys(root, "", Set.of("node", "programs", "maps", "rings", "sinks", "status-interval", "stop-timeout",
        "state-dir", "fleet"));
    String node = root.containsKey("node") ? YamlValues.string(root.get("node"), "node") : hostName();
    List<SourceConfigs.ProgramConfig> programs = SourceConfigs.programs(root.get("programs"));
    Set<String> programNames = new java.util.HashSet<>(programs.stream().map(SourceConfigs.ProgramConfig::name).toList());
    List<SourceConfigs.RingConfig> rings = SourceConfigs.rings(root.get("rings"), programNames);
    List<MapConfig> maps = new ArrayList<>();
    Object mapsTree = root.get("maps");
    if (mapsTree != null && !(mapsTree instanceof List<?>)) {
      throw new CliException("maps: expected a list of maps");
    }
    List<?> list = mapsTree == null ? List.of() : (List<?>) mapsTree;
    if (list.isEmpty() && rings.isEmpty()) {
      throw new CliException("maps: a list of at least one map (or rings: of one ring) is required");
    }
    Map<String, String> names = new java.util.HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      MapConfig m = map(list.get(i), "maps[" + i + "]");
      SourceConfigs.checkObjectMap(m.selector(), m.at() + ".kernel-name", programNames);
      unique(names, m.name(), m.at());
      maps.add(m);
    }
    for (SourceConfigs.RingConfig r : rings) {
      unique(names, r.name(), r.at());
    }
    Map<String, Object> sinks = root.containsKey("sinks") ? YamlValues.object(root.get("sinks"), "sinks") : Map.of();
    YamlValues.keys(sinks, "sinks", Set.of("kafka", "prometheus", "otlp", "stdout"));
    KafkaConfig kafka = sinks.get("kafka") == null ? null : SinkConfigs.kafka(sinks.get("kafka"), "sinks.kafka");
    PromConfig prom = sinks.get("prometheus") == null ? null
        : SinkConfigs.prometheus(sinks.get("prometheus"), "sinks.prometheus");
    OtlpConfig otlp = sinks.get("otlp") == null ? null : SinkConfigs.otlp(sinks.get("otlp"), "sinks.otlp");
    boolean stdout = sinks.containsKey("stdout") && YamlValues.bool(sinks.get("stdout"), "sinks.stdout");
    for (int i = 0; i < maps.size(); i++) {
      MapConfig m = maps.get(i);
      int sinksOfMap = (kafka != null ? 1 : 0) + (stdout ? 1 : 0) + (m.scraped() ? 1 : 0);
      if (m.mode() == Mode.DRAIN && sinksOfMap > 1) {
        throw new CliException("maps[" + i + "].mode: drain delivers each entry once, to one sink: "
            + "use kafka or stdout alone, and no metrics or histograms");
      }
      if (!m.metrics().isEmpty() && prom == null && otlp == null) {
        throw new CliException("maps[" + i + "].metrics: needs sinks.prometheus or sinks.otlp");
      }
      if (!m.histograms().isEmpty() && prom == null) {
        throw new CliException("maps[" + i + "].histograms: needs sinks.prometheus (OTLP does not carry them)");
      }
      if (m.mode() == Mode.DRAIN && kafka != null && kafka.producer().containsKey("delivery.timeout.ms")) {
        throw new CliException("sinks.kafka.producer.delivery.timeout.ms: maps[" + i + "] is drained, and its "
            + "entries are retried until Kafka acknowledges them: leave delivery.timeout.ms to bpfmap");
      }
    }
    for (SourceConfigs.RingConfig r : rings) {
      if (kafka == null && prom == null && otlp == null && !stdout) {
        throw new CliException(r.at() + ": no sink reads this ring, and the kernel drops what fills it: configure "
            + "sinks.kafka, sinks.prometheus, sinks.otlp or sinks.stdout");
      }
      if (!r.labels().isEmpty() && prom == null && otlp == null) {
        throw new CliException(r.at() + ".labels: needs sinks.prometheus or sinks.otlp");
      }
    }
    if (!rings.isEmpty() && kafka != null && kafka.producer().containsKey("delivery.timeout.ms")) {
      throw new CliException("sinks.kafka.producer.delivery.timeout.ms: " + rings.getFirst().at() + " is a ring, whose "
          + "records are read once and retried until Kafka acknowledges them: leave delivery.timeout.ms to bpfmap");
    }
    Duration status = root.containsKey("status-interval") ? duration(root.get("status-interval"), "status-interval")
        : Duration.ofSeconds(10);
    Duration stop = root.containsKey("stop-timeout") ? duration(root.get("stop-timeout"), "stop-timeout")
        : STOP_TIMEOUT;
    Path stateDir = root.get("state-dir") == null ? null : Path.of(YamlValues.string(root.get("state-dir"), "state-dir"));
    if (root.get("fleet") != null && kafka == null) {
      throw new CliException("fleet: needs sinks.kafka, whose topics the fleet table reads");
    }
    // checked when given; bpfmap fleet takes every default when it is not
    FleetConfigs fleet = root.get("fleet") == null ? null : FleetConfigs.parse(root.get("fleet"), maps, kafka);
    return new Config(node, programs, List.copyOf(maps), rings, kafka, prom, otlp, stdout, status, stop, stateDir, fleet);
  }

  /** Names pick topics, meters and /health entries: a map's or ring's name is taken once. */
  private static void unique(Map<String, String> names, String name, String at) {
    if (name.isEmpty() || name.contains("/")) {
      throw new CliException(at + ".name: '" + BpfException.show(name) + "' cannot name a map or ring (names pick "
          + "topics and metric names: not empty, no '/')");
    }
    String before = names.putIfAbsent(name, at);
    if (before != null) {
      throw new CliException(at + ".name: '" + name + "' is already the name of " + before
          + " (names pick topics, meters and /health entries: each must be unique)");
    }
  }

  private static MapConfig map(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("name", "pin", "id", "kernel-name", "key", "value", "trust-layout", "mask", "mode", "interval",
        "batch-size", "per-cpu", "labels", "metrics", "histograms", "max-series"));
    MapSelector selector = selector(m, at);
    // a name from kernel-name OBJECT/MAP is MAP: the name goes into topics and metric names
    String name = m.get("name") == null && m.get("kernel-name") != null
        ? YamlValues.string(m.get("kernel-name"), at + ".kernel-name").replaceFirst("^.*/", "")
        : YamlValues.string(YamlValues.required(m, "name", at), at + ".name");
    RecordLayout key = m.get("key") == null ? null : layout(m.get("key"), at + ".key");
    RecordLayout value = m.get("value") == null ? null : layout(m.get("value"), at + ".value");
    boolean trust = m.containsKey("trust-layout") && YamlValues.bool(m.get("trust-layout"), at + ".trust-layout");
    PermissionMask mask = mask(m, at);
    Mode mode = YamlValues.choice(m.getOrDefault("mode", "snapshot"), at + ".mode", "mode", Mode.class, Map.of());
    Duration interval = m.containsKey("interval") ? duration(m.get("interval"), at + ".interval") : Duration.ofSeconds(1);
    int batch = m.containsKey("batch-size") ? YamlValues.integer(m.get("batch-size"), at + ".batch-size", 1) : 4096;
    PerCpuPolicy perCpu = YamlValues.choice(m.getOrDefault("per-cpu", "sum"), at + ".per-cpu", "per-cpu policy",
        PerCpuPolicy.class, Map.of("per-cpu", PerCpuPolicy.PER_CPU));
    Map<String, LabelDecoder> labels = new LinkedHashMap<>();
    if (m.get("labels") != null) {
      YamlValues.object(m.get("labels"), at + ".labels").forEach((field, decoder) -> {
        try {
          labels.put(field, LabelDecoder.of(decoder));
        } catch (IllegalArgumentException e) {
          throw new CliException(at + ".labels." + field + ": " + e.getMessage(), e);
        }
      });
    }
    List<MapMeters.Metric> metrics = new ArrayList<>();
    if (m.get("metrics") != null) {
      if (!(m.get("metrics") instanceof List<?> list)) {
        throw new CliException(at + ".metrics: expected a list of {field, type}");
      }
      for (int i = 0; i < list.size(); i++) {
        metrics.add(metric(list.get(i), at + ".metrics[" + i + "]"));
      }
    }
    List<HistogramConfigs.HistogramConfig> histograms = m.get("histograms") == null ? List.of()
        : HistogramConfigs.parse(m.get("histograms"), at + ".histograms");
    int maxSeries = m.containsKey("max-series") ? YamlValues.integer(m.get("max-series"), at + ".max-series", 1) : 10_000;
    MapConfig cfg = new MapConfig(name, selector, key, value, mask, mode, interval, batch, perCpu, labels, metrics,
        histograms, maxSeries, trust, at);
    cfg.check(key, value, at);
    return cfg;
  }

  /** The {@code mask} of a map or ring; everything readable when it has none. */
  static PermissionMask mask(Map<String, Object> m, String at) {
    try {
      return m.containsKey("mask") ? PermissionMask.of(m.get("mask")) : PermissionMask.readAll();
    } catch (BpfException e) {
      throw new CliException(at + ".mask: " + e.getMessage().replaceFirst("^mask ?", ""), e);
    }
  }

  /** Exactly one of pin, id and kernel-name. */
  static MapSelector selector(Map<String, Object> m, String at) {
    List<String> given = java.util.stream.Stream.of("pin", "id", "kernel-name").filter(k -> m.get(k) != null).toList();
    if (given.size() != 1) {
      throw new CliException(at + ": " + (given.isEmpty() ? "say which map: pin, id or kernel-name"
          : "give one of pin, id and kernel-name, not " + String.join(" and ", given)));
    }
    return switch (given.get(0)) {
      case "pin" -> MapSelector.pin(Path.of(YamlValues.string(m.get("pin"), at + ".pin")));
      case "id" -> MapSelector.id(YamlValues.integer(m.get("id"), at + ".id", 1));
      default -> MapSelector.name(YamlValues.string(m.get("kernel-name"), at + ".kernel-name"));
    };
  }

  private static MapMeters.Metric metric(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("field", "type", "description"));
    String field = YamlValues.string(YamlValues.required(m, "field", at), at + ".field");
    MapMeters.Type type = YamlValues.choice(m.getOrDefault("type", "gauge"), at + ".type", "metric type", MapMeters.Type.class, Map.of());
    String description = m.containsKey("description") ? YamlValues.string(m.get("description"), at + ".description")
        : "Field " + field + " of the BPF map's values";
    return new MapMeters.Metric(field, type, description);
  }

  /**
   * A duration: a whole number with ms, s (the default), m or h, more than zero and at most
   * {@link #MAX_DURATION}.
   */
  static Duration duration(Object v, String at) {
    Matcher m = DURATION.matcher(String.valueOf(v).strip());
    if (!m.matches()) {
      throw new CliException(at + ": expected a duration such as 500ms, 1s, 2m, got '" + BpfException.show(v) + "'");
    }
    long n = m.group(1).length() > 18 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
    long unit = switch (m.group(2) == null ? "s" : m.group(2)) {
      case "ms" -> 1;
      case "m" -> 60_000;
      case "h" -> 3_600_000;
      default -> 1000;
    };
    if (n == 0) {
      throw new CliException(at + ": must be more than zero");
    }
    if (n > MAX_DURATION.toMillis() / unit) {
      throw new CliException(at + ": at most " + MAX_DURATION.toDays() + " days, got '" + BpfException.show(v) + "'");
    }
    return Duration.ofMillis(n * unit);
  }

  static RecordLayout layout(Object tree, String at) {
    try {
      return Inputs.layout(tree);
    } catch (BpfException | CliException e) {
      throw new CliException(at + ": " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
