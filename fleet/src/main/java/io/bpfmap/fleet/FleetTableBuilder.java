package io.bpfmap.fleet;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a fleet table reads Kafka, and what it serves: from {@link FleetTable#builder()}. Not
 * thread-safe.
 */
public final class FleetTableBuilder {
  String bootstrapServers;
  final Map<String, String> client = new HashMap<>();
  final Map<String, String> streams = new HashMap<>();
  List<String> topics = List.of();
  java.util.regex.Pattern topicPattern;
  String heartbeatTopic = "bpfmap.heartbeats";
  Duration expiry = Duration.ofSeconds(30);
  final List<FleetAggregate> aggregates = new ArrayList<>();
  String applicationId = "bpfmap-fleet";
  Path stateDir = Path.of(System.getProperty("java.io.tmpdir"), "bpfmap-fleet");
  InetSocketAddress listen = new InetSocketAddress(FleetTable.DEFAULT_PORT);
  String advertise;
  int threads = 1;
  List<String> maps = List.of();
  Duration connectTimeout = Duration.ofSeconds(15);

  FleetTableBuilder() {}

  /**
   * Only these maps' records.
   *
   * @param maps the maps in the table; empty (the default): every map in the topics
   * @return this builder
   */
  public FleetTableBuilder maps(List<String> maps) {
    this.maps = List.copyOf(maps);
    return this;
  }

  /**
   * How long starting waits for Kafka to list its topics.
   *
   * @param timeout default 15 s
   * @return this builder
   */
  public FleetTableBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = timeout;
    return this;
  }

  /**
   * Where Kafka is.
   *
   * @param servers Kafka's bootstrap servers ({@code host:port,…}); required
   * @return this builder
   */
  public FleetTableBuilder bootstrapServers(String servers) {
    this.bootstrapServers = servers;
    return this;
  }

  /**
   * Settings of every Kafka client the table makes.
   *
   * @param properties client settings every Kafka client of the table gets: security
   *     ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}) and the like
   * @return this builder
   */
  public FleetTableBuilder clientProperties(Map<String, String> properties) {
    client.putAll(properties);
    return this;
  }

  /**
   * Kafka Streams settings.
   *
   * @param properties Kafka Streams settings, over the table's own
   * @return this builder
   */
  public FleetTableBuilder streamsProperties(Map<String, String> properties) {
    streams.putAll(properties);
    return this;
  }

  /**
   * The topics to read.
   *
   * @param topics the topics maps are exported to; required, and they must exist
   * @return this builder
   */
  public FleetTableBuilder topics(List<String> topics) {
    this.topics = List.copyOf(topics);
    return this;
  }

  /**
   * Instead of {@link #topics}: every topic whose whole name matches, as they appear (a node per
   * topic: {@code bpfmap\.[^.]+\.flows}). Kafka Streams finds new ones when it refreshes its
   * metadata, every 30 s here ({@code main.consumer.metadata.max.age.ms} changes it).
   *
   * @param pattern the topics' names
   * @return this builder
   */
  public FleetTableBuilder topicPattern(java.util.regex.Pattern pattern) {
    this.topicPattern = pattern;
    return this;
  }

  /**
   * Where the nodes send heartbeats.
   *
   * @param topic the nodes' heartbeat topic (default {@code bpfmap.heartbeats}); it must exist
   * @return this builder
   */
  public FleetTableBuilder heartbeatTopic(String topic) {
    this.heartbeatTopic = topic;
    return this;
  }

  /**
   * How long a node counts after its last heartbeat.
   *
   * @param expiry how old a node's last heartbeat may be for the node to count (default 30 s:
   *     three of the nodes' default intervals); {@link Duration#ZERO}: every node counts, and
   *     the heartbeat topic is not read
   * @return this builder
   */
  public FleetTableBuilder expiry(Duration expiry) {
    this.expiry = expiry;
    return this;
  }

  /**
   * Adds an aggregate.
   *
   * @param aggregate a sum to keep over the fleet
   * @return this builder
   */
  public FleetTableBuilder aggregate(FleetAggregate aggregate) {
    aggregates.add(aggregate);
    return this;
  }

  /**
   * The Kafka Streams application.
   *
   * @param id the Kafka Streams application id (default {@code bpfmap-fleet}): instances with
   *     the same id share the work; it prefixes the table's internal topics
   * @return this builder
   */
  public FleetTableBuilder applicationId(String id) {
    this.applicationId = id;
    return this;
  }

  /**
   * Where the stores are kept.
   *
   * @param dir where Kafka Streams keeps its stores (default {@code $TMPDIR/bpfmap-fleet})
   * @return this builder
   */
  public FleetTableBuilder stateDir(Path dir) {
    this.stateDir = dir;
    return this;
  }

  /**
   * Where HTTP listens.
   *
   * @param address where HTTP listens (default port {@value FleetTable#DEFAULT_PORT}, all
   *     addresses); port 0 takes a free one
   * @return this builder
   */
  public FleetTableBuilder listen(InetSocketAddress address) {
    this.listen = address;
    return this;
  }

  /**
   * The address other instances use.
   *
   * @param hostPort how the other instances reach this one ({@code host:port}); default this
   *     host's name and the port it listens on
   * @return this builder
   */
  public FleetTableBuilder advertise(String hostPort) {
    this.advertise = hostPort;
    return this;
  }

  /**
   * How many threads read.
   *
   * @param n Kafka Streams threads of this instance (default 1)
   * @return this builder
   */
  public FleetTableBuilder threads(int n) {
    this.threads = n;
    return this;
  }

  /**
   * {@return the fleet table, not yet started}
   *
   * @throws FleetException when the servers or topics are missing, or aggregates share a name
   */
  public FleetTable build() {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new FleetException("bootstrap servers: required");
    }
    if (topics.isEmpty() == (topicPattern == null)) {
      throw new FleetException("topics: give the topics of map records, or a pattern of them (one of the two)");
    }
    if (expiry.isNegative()) {
      throw new FleetException("expiry: must not be negative");
    }
    return new FleetTable(this);
  }
}
