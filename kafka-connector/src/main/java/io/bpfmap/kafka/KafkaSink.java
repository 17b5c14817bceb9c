package io.bpfmap.kafka;

import io.bpfmap.core.stream.ChangesState;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
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
  private final ClusterAdmin admin;
  private final java.util.Queue<KafkaExport> exports = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Topics created or found already (a map reopened later does not ask the broker again). */
  private final java.util.Set<String> ensured = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private KafkaSink(Builder b) {
    this.config = b;
    this.admin = new ClusterAdmin(b);
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

  /** {@return options with bpfmap's defaults: {@code 127.0.0.1:9092}, {@value #DEFAULT_TOPIC}} */
  public static Builder builder() {
    return new Builder();
  }

  /** The producer settings bpfmap uses, under the user's overrides. */
  static Properties producerProperties(Builder b) {
    return ProducerSettings.properties(b);
  }

  /**
   * Checks producer settings the way the producer will, before anything starts: every property is
   * one Kafka knows, every value is one Kafka accepts ({@link ProducerConfig}'s own checks), and
   * the bootstrap servers are host:port (whether they resolve is known only when the sink starts:
   * a container's service name may resolve only then). Nothing is contacted.
   *
   * @param bootstrapServers the {@code bootstrap.servers} list, comma-separated host:port
   * @param producer producer properties the user sets, as for {@link Builder#producerProperties}
   * @throws KafkaSinkException naming the setting where it can
   *     ({@link KafkaSinkException#setting()}) when a property is unknown, sets a serializer
   *     or has a value Kafka refuses, when a server is not host:port, or when
   *     {@code delivery.timeout.ms} is below {@code linger.ms + request.timeout.ms}
   */
  public static void checkSettings(String bootstrapServers, Map<String, String> producer) {
    ProducerSettings.check(bootstrapServers, producer);
  }

  /**
   * The topic of a map: the pattern with {@code {map}} and {@code {node}} filled in.
   *
   * @param map the map's name
   * @return the topic name
   */
  public String topicFor(String map) {
    return config.topic.replace("{map}", map).replace("{node}", config.node);
  }

  /**
   * Starts exporting {@code stream}: creates its topic first when the sink was asked to (compacted
   * for CHANGES streams), then sends every UPSERT as a record and every DELETE as a tombstone. A
   * DRAIN stream needs the producer to retry until acknowledged: a {@code delivery.timeout.ms} set
   * by the user is refused for it.
   *
   * <p>The export subscribes at once, on
   * {@link reactor.core.scheduler.Schedulers#boundedElastic()}. Backpressure: it requests at most
   * the sink's {@code maxInFlight} records ahead of their acknowledgements. A stream error ends the
   * export once what it took is settled ({@link KafkaExport#done()} then errors with it).
   *
   * @param stream the stream to export; the export never closes it
   * @return the running export, to watch and stop
   * @throws KafkaSinkException when {@code stream} is in DRAIN mode and the producer has a finite
   *     {@code delivery.timeout.ms}, or when creating its topic fails or times out (30 s)
   */
  public KafkaExport export(MapStream stream) {
    return export(Source.of(stream), "map '" + stream.view().map() + "' is drained: each entry taken from the kernel");
  }

  /**
   * Starts exporting a CHANGES stream, as {@link #export(MapStream)} does, and records in
   * {@code state} every record Kafka acknowledges: the topic's content for this node and map, to
   * make the next stream of the map from ({@link MapStream.Builder#changesBaseline}), in this
   * process or after a restart ({@link ChangesState#save}). The stream made after this one then
   * sends only what Kafka does not hold yet, and tombstones what it holds that the map lost.
   *
   * @param stream a CHANGES stream; the export never closes it
   * @param state what Kafka holds of it; the stream's baseline, usually
   * @return the running export
   */
  public KafkaExport export(MapStream stream, ChangesState state) {
    if (stream.mode() != Mode.CHANGES) {
      throw new KafkaSinkException("map '" + stream.view().map() + "': only a CHANGES stream keeps what Kafka holds "
          + "(it is " + stream.mode() + ")", null);
    }
    return export(Source.of(stream, state), "map '" + stream.view().map() + "'");
  }

  /**
   * Starts exporting a ring's events, as {@link #export(MapStream)} does a map's: to an
   * append-only topic ({@code bpfmap.<ring>} by default), one record per event, keyed by node and
   * ring so that a node's events keep their order in one partition. A record taken out of a ring
   * cannot be read again, so the producer retries each until Kafka acknowledges it: a
   * {@code delivery.timeout.ms} set by the user is refused. To stop without losing what was taken,
   * close the stream: the export then completes once every record is acknowledged.
   *
   * @param stream the ring's stream; the export never closes it
   * @return the running export, to watch and stop
   * @throws KafkaSinkException when the producer has a finite {@code delivery.timeout.ms}, or when
   *     creating the topic fails or times out (30 s)
   */
  public KafkaExport export(EventStream stream) {
    return export(Source.of(stream), "ring '" + stream.view().map() + "' is read once: each record taken from "
        + "the kernel");
  }

  private KafkaExport export(Source source, String once) {
    String map = source.view().map();
    String timeout = config.producer.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
    if (source.once() && timeout != null && !timeout.equals(Integer.toString(Integer.MAX_VALUE))) {
      throw new KafkaSinkException(once + " is retried until Kafka acknowledges it, so the producer's "
          + "delivery.timeout.ms must be left to bpfmap (it is " + timeout + ")", null);
    }
    String topic = topicFor(map);
    if (config.createTopics && !ensured.contains(topic)) {
      ensureTopic(topic, source.compacted());
      ensured.add(topic);
    }
    RecordFormat format = new RecordFormat(topic, config.node, source.view(), source.mode(), source.origin());
    KafkaExport export = new KafkaExport(producer, format, config.maxInFlight, source, exports::remove,
        config.tombstones, config.cycleMarkers && source.mode() != null);
    exports.add(export);
    // Events are rendered on the stream's thread and sent from the export's own (see KafkaExport),
    // never on Kafka's I/O thread. No operator queue sits between the stream and the export, so
    // nothing drained can be stranded in one at a cancel.
    source.events()
        .subscribeOn(Schedulers.boundedElastic())
        .subscribe(export);
    return export;
  }


  /**
   * Asks the cluster for its id with an admin client (the producer's {@code security.},
   * {@code sasl.} and {@code ssl.} settings apply), blocking up to about {@code timeout}.
   *
   * @param timeout how long to wait for a broker
   * @throws KafkaSinkException with a one-line message when no broker answers in time, when the
   *     broker refuses bpfmap's credentials or certificate (what Kafka said), or the calling thread
   *     is interrupted (its interrupt flag is set again)
   */
  public void checkReachable(Duration timeout) {
    admin.checkReachable(timeout);
  }

  /**
   * Creates {@code topic} unless it exists, with the builder's partitions, replication factor and
   * topic configs; blocks for up to 30 s. An existing topic is left as it is.
   *
   * @param topic the topic's name
   * @param compacted whether to set {@code cleanup.policy=compact} (kept when the configs already
   *     include compact)
   * @throws KafkaSinkException when the broker refuses the topic, does not answer within 30 s, or
   *     the calling thread is interrupted
   */
  public void ensureTopic(String topic, boolean compacted) {
    admin.ensureTopic(topic, compacted);
  }

  /**
   * Sends this node's heartbeat: key {@code {"node"}}, value {@code {"node","timestamp",
   * "interval_ms","maps":{"<map>":{"cycle":n}}}} (the last cycle each map completed), header
   * {@code bpfmap.kind: HEARTBEAT}, to a compacted topic created on the first one. Heartbeats go out
   * even when no map changes, so a consumer tells a quiet node from a dead one (a node whose last
   * heartbeat is older than a few intervals). Returns at once; a failed send is logged.
   *
   * @param topic the heartbeat topic, e.g. {@code bpfmap.heartbeats}
   * @param interval the time between heartbeats, carried in them
   * @param cycles the last cycle each map (or ring) completed, by name
   */
  public void heartbeat(String topic, Duration interval, Map<String, Long> cycles) {
    if (config.createTopics && !ensured.contains(topic)) {
      ensureTopic(topic, true);
      ensured.add(topic);
    }
    Heartbeats.send(producer, config.node, topic, interval, cycles);
  }

  /**
   * Tombstones every key {@code node} still holds in {@code topic} (a node decommissioned, whose
   * entries a compacted topic would keep forever): reads the topic to its current end and sends a
   * tombstone for each of the node's keys whose latest record is not one.
   *
   * @param node the node's name, as its records' keys carry it
   * @param topic a topic bpfmap writes, e.g. {@link #topicFor topicFor("flows")}
   * @param timeout how long reading the topic may take
   * @return the number of tombstones sent (and acknowledged)
   * @throws KafkaSinkException when the topic does not exist, cannot be read in time, or a tombstone fails
   */
  public long retire(String node, String topic, Duration timeout) {
    return Retirement.retire(producer, admin.clientProperties(), topic, node, timeout);
  }


  /**
   * The nodes that stopped sending heartbeats: those whose latest heartbeat in {@code topic} is
   * older than {@code expiry}, oldest first (a node retired already has none left).
   *
   * @param topic the heartbeat topic, e.g. {@code bpfmap.heartbeats}
   * @param expiry how old a last heartbeat may be, a few heartbeat intervals
   * @param timeout how long reading the topic may take
   * @return the nodes' names
   * @throws KafkaSinkException when the topic does not exist or cannot be read in time
   */
  public List<String> silentNodes(String topic, Duration expiry, Duration timeout) {
    return Retirement.silent(admin.clientProperties(), topic, expiry, timeout);
  }

  /** {@link #close(Duration)} with 30 s. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Flushes and closes the producer: it sends what it holds for at most {@code timeout}, then fails
   * the rest, and each DRAIN entry among those goes back into its map before this returns (close
   * the maps after the sink). Stop the exports first ({@link KafkaExport#stopTaking()}). Exports
   * still open are closed too.
   *
   * @param timeout how long the producer may take to send what it holds
   */
  public void close(Duration timeout) {
    producer.close(timeout);
    List.copyOf(exports).forEach(KafkaExport::close);
  }

  /** Options of a {@link KafkaSink}. */
  public static final class Builder {
    String bootstrapServers = "127.0.0.1:9092";
    private String topic = DEFAULT_TOPIC;
    String node = defaultNode();
    final Map<String, String> producer = new HashMap<>();
    private int maxInFlight = 16_384;
    private boolean createTopics;
    int partitions = 1;
    boolean tombstones = true;
    boolean cycleMarkers = true;
    Short replicationFactor;
    final Map<String, String> topicConfigs = new HashMap<>();

    private Builder() {}

    /**
     * The brokers to reach first: {@code bootstrap.servers}; default {@code 127.0.0.1:9092}.
     *
     * @param servers comma-separated host:port
     * @return this builder
     */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /**
     * The topic of each map; default {@value KafkaSink#DEFAULT_TOPIC}.
     *
     * @param pattern a topic name where {@code {map}} and {@code {node}} are filled in
     * @return this builder
     */
    public Builder topic(String pattern) {
      this.topic = pattern;
      return this;
    }

    /**
     * The node name records carry in their key and value and in the {@code bpfmap.node} header;
     * it is also in the producer's {@code client.id} ({@code bpfmap-<node>}).
     *
     * @param node the name; default: the host name ({@code localhost} when it cannot be found)
     * @return this builder
     */
    public Builder node(String node) {
      this.node = node;
      return this;
    }

    /**
     * Sets one producer property over bpfmap's defaults; the serializers stay bpfmap's. Values
     * are checked when the producer is built, or earlier with {@link KafkaSink#checkSettings}.
     *
     * @param key a Kafka producer property, e.g. {@code compression.type}
     * @param value its value, e.g. {@code lz4}
     * @return this builder
     */
    public Builder producerProperty(String key, String value) {
      this.producer.put(key, value);
      return this;
    }

    /**
     * Whether a CHANGES delete is followed by a tombstone (its key with a null value, which a
     * compacted topic deletes the key on) after its {@code d} record, as Debezium does. Without
     * tombstones a compacted topic keeps each deleted key's {@code d} record.
     *
     * @param send default true
     * @return this builder
     */
    public Builder tombstones(boolean send) {
      this.tombstones = send;
      return this;
    }

    /**
     * Whether a map's cycle that sends records is framed by markers ({@code op: m}, {@code marker:
     * begin} before its first record, {@code end} after its last), so that a consumer knows when
     * it has seen a cycle whole. A ring's events have no cycles.
     *
     * @param send default true
     * @return this builder
     */
    public Builder cycleMarkers(boolean send) {
      this.cycleMarkers = send;
      return this;
    }

    /**
     * Authenticates to a secured cluster: TLS, mTLS, SASL PLAIN or SCRAM (see
     * {@link KafkaSecurity#properties()}); its files are read now. Producer properties set
     * after this win over its settings.
     *
     * @param security TLS and SASL settings
     * @return this builder
     * @throws KafkaSinkException naming a file that cannot be read or is not PEM of the right kind
     */
    public Builder security(KafkaSecurity security) {
      return producerProperties(security.properties());
    }

    /**
     * Sets producer properties, as {@link #producerProperty} does for each.
     *
     * @param properties property to value; copied
     * @return this builder
     */
    public Builder producerProperties(Map<String, String> properties) {
      this.producer.putAll(properties);
      return this;
    }

    /**
     * Records of one export taken from the stream but not yet acknowledged, at most: the
     * stream's demand, and so the memory an absent broker can cost.
     *
     * @param n at least 1; default 16384
     * @return this builder
     * @throws IllegalArgumentException when {@code n} is below 1
     */
    public Builder maxInFlight(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max in flight must be at least 1, got " + n);
      }
      this.maxInFlight = n;
      return this;
    }

    /**
     * Whether {@link KafkaSink#export} creates a map's topic when it is missing (compacted for
     * CHANGES streams).
     *
     * @param create true to create; default false (a missing topic is then left to the broker)
     * @return this builder
     */
    public Builder createTopics(boolean create) {
      this.createTopics = create;
      return this;
    }

    /**
     * Partitions of created topics.
     *
     * @param partitions at least 1; default 1
     * @return this builder
     * @throws IllegalArgumentException when {@code partitions} is below 1
     */
    public Builder partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("topic partitions must be at least 1, got " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    /**
     * Replication factor of created topics.
     *
     * @param factor at least 1; default: the broker's {@code default.replication.factor}
     * @return this builder
     * @throws IllegalArgumentException when {@code factor} is below 1
     */
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
     *
     * @param configs topic config to value; added to those set before
     * @return this builder
     */
    public Builder topicConfigs(Map<String, String> configs) {
      this.topicConfigs.putAll(configs);
      return this;
    }

    /**
     * Creates the producer; no broker is contacted yet (see {@link KafkaSink#checkReachable}).
     *
     * @return the sink, which owns the producer until {@link KafkaSink#close()}
     * @throws KafkaSinkException when the producer cannot be built from the settings (a value
     *     Kafka refuses, a bootstrap server that does not resolve), with Kafka's reason
     */
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
