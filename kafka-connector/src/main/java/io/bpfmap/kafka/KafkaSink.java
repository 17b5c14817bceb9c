package io.bpfmap.kafka;

import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import reactor.core.scheduler.Schedulers;

/**
 * Sends map events to Kafka with one plain kafka-clients producer (idempotent, {@code acks=all},
 * zstd by default; every producer property can be set). Each {@link #export} subscribes to a
 * stream with at most {@code maxInFlight} unacknowledged records: demand follows acknowledgements,
 * so a slow or absent broker slows the polling instead of filling memory. Thread-safe.
 */
public final class KafkaSink implements AutoCloseable {
  /** The topic pattern's default: one topic per map. */
  public static final String DEFAULT_TOPIC = "bpfmap.{map}";

  private final Builder config;
  private final KafkaProducer<byte[], byte[]> producer;
  private final java.util.Queue<KafkaExport> exports = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Topics created or found already (a map reopened later does not ask the broker again). */
  private final java.util.Set<String> ensured = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private KafkaSink(Builder b) {
    this.config = b;
    try {
      this.producer = new KafkaProducer<>(producerProperties(b));
    } catch (KafkaException e) {
      Throwable why = e;
      while (why.getCause() != null && why.getMessage() != null && why.getMessage().startsWith("Failed to construct")) {
        why = why.getCause();
      }
      throw new KafkaSinkException("kafka at " + b.bootstrapServers + ": " + why.getMessage(), e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The producer settings bpfmap uses, under the user's overrides. */
  static Properties producerProperties(Builder b) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // zstd: map snapshots are repetitive JSON, and zstd stores them in 2.3x fewer bytes than lz4
    // for 5-25% more CPU per exported record (benchmarks/run kafka); a fleet shares one cluster.
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bpfmap-" + b.node);
    // Retry inside the producer until acknowledged: its retries keep each partition in order, where
    // a record resent after it gave up could land behind a newer record of the same key.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
    p.putAll(b.producer);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Checks producer settings the way the producer will, before anything starts: every property is
   * one Kafka knows, every value is one Kafka accepts ({@link ProducerConfig}'s own checks), and
   * the bootstrap servers are host:port (whether they resolve is known only when the sink starts:
   * a container's service name may resolve only then). Throws a {@link KafkaSinkException} naming
   * the setting.
   */
  public static void checkSettings(String bootstrapServers, Map<String, String> producer) {
    for (String key : producer.keySet()) {
      if (!ProducerConfig.configNames().contains(key)) {
        throw new KafkaSinkException("unknown producer setting (see Kafka's producer configs)", key, null);
      }
      if (key.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG) || key.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        throw new KafkaSinkException("bpfmap sends bytes: the serializers are its own", key, null);
      }
    }
    Properties p = producerProperties(new Builder().bootstrapServers(bootstrapServers).producerProperties(producer));
    try {
      ProducerConfig config = new ProducerConfig(p);
      List<String> servers = config.getList(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
      if (servers.isEmpty()) {
        throw new ConfigException("no bootstrap servers given in bootstrap.servers");
      }
      for (String server : servers) {
        if (Utils.getHost(server) == null || Utils.getPort(server) == null) {
          throw new ConfigException("'" + server + "' in bootstrap.servers is not host:port");
        }
      }
      long delivery = config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
      long needed = config.getLong(ProducerConfig.LINGER_MS_CONFIG) + config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
      if (delivery < needed) {
        throw new ConfigException(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery,
            "must be at least linger.ms + request.timeout.ms (" + needed + ")");
      }
    } catch (ConfigException e) {
      Matcher m = SETTING.matcher(String.valueOf(e.getMessage()));
      String setting = m.find() ? m.group(1) : String.valueOf(e.getMessage()).contains("bootstrap")
          ? ProducerConfig.BOOTSTRAP_SERVERS_CONFIG : null;
      throw new KafkaSinkException(e.getMessage(), setting, e);
    }
  }

  private static final Pattern SETTING = Pattern.compile("for configuration ([^:\\s]+)");

  /** The topic of a map: the pattern with {@code {map}} and {@code {node}} filled in. */
  public String topicFor(String map) {
    return config.topic.replace("{map}", map).replace("{node}", config.node);
  }

  /**
   * Starts exporting {@code stream}: creates its topic first when the sink was asked to (compacted
   * for CHANGES streams), then sends every UPSERT as a record and every DELETE as a tombstone. A
   * DRAIN stream needs the producer to retry until acknowledged: a {@code delivery.timeout.ms} set
   * by the user is refused for it.
   */
  public KafkaExport export(MapStream stream) {
    String map = stream.view().map();
    String timeout = config.producer.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
    if (stream.mode() == Mode.DRAIN && timeout != null && !timeout.equals(Integer.toString(Integer.MAX_VALUE))) {
      throw new KafkaSinkException("map '" + map + "' is drained: each entry taken from the kernel is retried "
          + "until Kafka acknowledges it, so the producer's delivery.timeout.ms must be left to bpfmap (it is "
          + timeout + ")", null);
    }
    String topic = topicFor(map);
    if (config.createTopics && !ensured.contains(topic)) {
      ensureTopic(topic, stream.mode() == Mode.CHANGES);
      ensured.add(topic);
    }
    RecordFormat format = new RecordFormat(topic, config.node, stream.view());
    KafkaExport export = new KafkaExport(producer, format, config.maxInFlight, stream, exports::remove);
    exports.add(export);
    // Events are rendered on the stream's thread and sent from the export's own (see KafkaExport),
    // never on Kafka's I/O thread. No operator queue sits between the stream and the export, so
    // nothing drained can be stranded in one at a cancel.
    stream.events()
        .subscribeOn(Schedulers.boundedElastic())
        .subscribe(export);
    return export;
  }

  /** Fails with a one-line error when no broker answers within {@code timeout}. */
  public void checkReachable(Duration timeout) {
    try (Admin admin = admin(timeout)) {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new KafkaSinkException("kafka at " + config.bootstrapServers + " is not reachable within "
          + timeout.toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaSinkException("interrupted while reaching kafka at " + config.bootstrapServers, e);
    }
  }

  /** Creates {@code topic} unless it exists; compacted when asked. */
  public void ensureTopic(String topic, boolean compacted) {
    Duration timeout = Duration.ofSeconds(30);
    try (Admin admin = admin(timeout)) {
      NewTopic t = new NewTopic(topic, java.util.Optional.of(config.partitions),
          java.util.Optional.ofNullable(config.replicationFactor));
      Map<String, String> configs = new HashMap<>(config.topicConfigs);
      if (compacted && !configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, "").contains(
          TopicConfig.CLEANUP_POLICY_COMPACT)) {
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      t.configs(configs);
      admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new KafkaSinkException("creating topic '" + topic + "' failed: " + e.getCause().getMessage(), e);
      }
    } catch (TimeoutException e) {
      throw new KafkaSinkException("creating topic '" + topic + "' timed out after 30s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaSinkException("interrupted while creating topic '" + topic + "'", e);
    }
  }

  private Admin admin(Duration timeout) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    config.producer.forEach((k, v) -> {
      if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
        p.put(k, v);
      }
    });
    return Admin.create(p);
  }

  /** {@link #close(Duration)} with 30 s. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Flushes and closes the producer: it sends what it holds for at most {@code timeout}, then fails
   * the rest, and each DRAIN entry among those goes back into its map before this returns (close
   * the maps after the sink). Stop the exports first ({@link KafkaExport#stopTaking()}).
   */
  public void close(Duration timeout) {
    producer.close(timeout);
    List.copyOf(exports).forEach(KafkaExport::close);
  }

  /** Options of a {@link KafkaSink}. */
  public static final class Builder {
    private String bootstrapServers = "127.0.0.1:9092";
    private String topic = DEFAULT_TOPIC;
    private String node = defaultNode();
    private final Map<String, String> producer = new HashMap<>();
    private int maxInFlight = 16_384;
    private boolean createTopics;
    private int partitions = 1;
    private Short replicationFactor;
    private final Map<String, String> topicConfigs = new HashMap<>();

    private Builder() {}

    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /** Topic pattern: {@code {map}} and {@code {node}} are filled in; default {@code bpfmap.{map}}. */
    public Builder topic(String pattern) {
      this.topic = pattern;
      return this;
    }

    /** The node name records carry; default: the host name. */
    public Builder node(String node) {
      this.node = node;
      return this;
    }

    /** Any producer property (serializers excepted), e.g. {@code compression.type=zstd}. */
    public Builder producerProperty(String key, String value) {
      this.producer.put(key, value);
      return this;
    }

    public Builder producerProperties(Map<String, String> properties) {
      this.producer.putAll(properties);
      return this;
    }

    /** Records sent but not yet acknowledged, at most; default 16384. */
    public Builder maxInFlight(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max in flight must be at least 1, got " + n);
      }
      this.maxInFlight = n;
      return this;
    }

    /** Create missing topics (compacted for CHANGES streams); default false. */
    public Builder createTopics(boolean create) {
      this.createTopics = create;
      return this;
    }

    /** Partitions of created topics; default 1. */
    public Builder partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("topic partitions must be at least 1, got " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /** Replication factor of created topics; default: the broker's {@code default.replication.factor}. */
    public Builder replicationFactor(short factor) {
      if (factor < 1) {
        throw new IllegalArgumentException("topic replication factor must be at least 1, got " + factor);
      }
      this.replicationFactor = factor;
      return this;
    }

    /**
     * Configs of created topics ({@code retention.ms}, {@code min.insync.replicas}…); a CHANGES
     * stream's topic is compacted whatever they say of {@code cleanup.policy}, unless it includes
     * compact already.
     */
    public Builder topicConfigs(Map<String, String> configs) {
      this.topicConfigs.putAll(configs);
      return this;
    }

    public KafkaSink build() {
      return new KafkaSink(this);
    }

    private static String defaultNode() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "localhost";
      }
    }
  }
}
