package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet table: every node's maps, read from the topics bpfmap exports them to, as one table
 * that Kafka Streams keeps and HTTP serves. It holds each key's last record, drops cycle markers
 * and ring events, and deletes on {@code d} records and tombstones. It sums entries by
 * {@link FleetAggregate}s, and it reads the heartbeat topic to tell live nodes from silent ones:
 * every query and aggregate counts only the nodes whose last heartbeat is within the expiry.
 *
 * <p>More instances with the same application id share the work: each holds the partitions Kafka
 * Streams gives it, and every instance answers for the whole fleet, asking the others over HTTP
 * at their advertised address (interactive queries). A query made during a rebalance waits for it,
 * for up to 10 s, rather than answer with part of the fleet.
 *
 * <pre>{@code
 * try (FleetTable fleet = FleetTable.builder().bootstrapServers("kafka:9092")
 *     .topics(List.of("bpfmap.flows")).aggregate(new FleetAggregate("bytes_by_dport", "flows",
 *         List.of("dport"), List.of("bytes"))).build()) {
 *   fleet.start();
 *   List<FleetGroup> perPort = fleet.aggregate("bytes_by_dport");
 * }
 * }</pre>
 */
public final class FleetTable implements AutoCloseable {
  /** The HTTP port a fleet table listens on by default (bpfmap's /metrics is on 10469). */
  public static final int DEFAULT_PORT = 10470;
  private static final Logger LOG = LoggerFactory.getLogger(FleetTable.class);

  private final FleetTableBuilder b;
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Map<String, FleetAggregate> aggregates = new LinkedHashMap<>();
  private FleetHttp http;
  private KafkaStreams streams;
  private FleetQueries queries;

  FleetTable(FleetTableBuilder b) {
    this.b = b;
    for (FleetAggregate a : b.aggregates) {
      if (aggregates.put(a.name(), a) != null) {
        throw new FleetException("aggregate '" + a.name() + "' is given twice");
      }
    }
  }

  /**
   * Checks Kafka Streams settings as {@link #start()} does, before anything starts.
   *
   * @param streams settings for {@link FleetTableBuilder#streamsProperties}
   * @param bootstrapServers Kafka's bootstrap servers
   * @throws FleetException when a setting is the table's own, or Kafka Streams refuses one
   */
  public static void checkStreams(Map<String, String> streams, String bootstrapServers) {
    FleetStart.checkStreams(streams, bootstrapServers);
  }

  /**
   * Checks an address for {@link FleetTableBuilder#advertise}.
   *
   * @param hostPort {@code host:port}
   * @throws FleetException when it is not one
   */
  public static void checkAdvertise(String hostPort) {
    FleetStart.advertised(hostPort);
  }

  /** {@return a builder of a fleet table} */
  public static FleetTableBuilder builder() {
    return new FleetTableBuilder();
  }

  /**
   * Starts serving HTTP and reading the topics; returns at once (see {@link #awaitRunning}). The
   * application id Kafka Streams gets is the builder's with a fingerprint of the aggregates and
   * maps, so that a changed aggregate is computed anew from the topics' start.
   *
   * @throws FleetException when a setting is refused, a topic is missing or unlike the others,
   *     Kafka cannot be reached, the state directory cannot be written or the port is taken;
   *     what was started is closed again
   */
  public synchronized void start() {
    if (streams != null) {
      throw new IllegalStateException("the fleet table is started already");
    }
    FleetStart.checkStreams(b.streams, b.bootstrapServers);
    FleetStart.stateDir(b.stateDir);
    String heartbeats = b.expiry.isZero() ? null : b.heartbeatTopic;
    FleetStart.checkTopics(b.client, b.bootstrapServers, b.topics, b.topicPattern, heartbeats, b.connectTimeout);
    String app = FleetStart.applicationId(b.applicationId, List.copyOf(aggregates.values()), b.maps);
    // a broad pattern must not take the heartbeats or the table's own topics for map topics
    java.util.regex.Pattern pattern = b.topicPattern == null ? null : java.util.regex.Pattern.compile("(?!"
        + java.util.regex.Pattern.quote(app + "-") + ")" + (heartbeats == null ? "" : "(?!"
        + java.util.regex.Pattern.quote(heartbeats) + "$)") + "(?:" + b.topicPattern.pattern() + ")");
    try {
      http = FleetHttp.bind(b.listen);
      String advertised = b.advertise != null ? b.advertise : FleetHttp.hostName() + ":" + http.port();
      HostInfo self = FleetStart.advertised(advertised);
      streams = new KafkaStreams(FleetTopology.build(b.topics, pattern, b.maps, heartbeats,
          List.copyOf(aggregates.values()), skipped), FleetStart.settings(b.client, b.streams, app, b.bootstrapServers,
          advertised, b.stateDir, b.threads));
      streams.setUncaughtExceptionHandler(e -> {
        failure.set(e);
        LOG.error("fleet table stopped: {}", e.toString());
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      java.util.function.Predicate<String> mapTopics = pattern != null
          ? t -> pattern.matcher(t).matches() : Set.copyOf(b.topics)::contains;
      LocalStores local = new LocalStores(streams, mapTopics, app);
      streams.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING) {
          LOG.info("fleet table running as {}: partitions {} of the entries here", app,
              local.partitions(FleetTopology.ENTRIES));
        } else if (now == KafkaStreams.State.REBALANCING || now == KafkaStreams.State.ERROR) {
          LOG.info("fleet table {}", now.name().toLowerCase(java.util.Locale.ROOT));
        }
      });
      queries = new FleetQueries(streams, local, self, b.expiry, aggregates, heartbeats != null);
      http.serve(queries, this);
      streams.start();
    } catch (RuntimeException | Error e) {
      try {
        close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      streams = null;
      http = null;
      queries = null;
      if (e instanceof Error err) {
        throw err;
      }
      throw e instanceof FleetException f ? f : new FleetException("fleet table did not start: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the table has its partitions and serves queries.
   *
   * @param timeout how long to wait
   * @throws FleetException when the table failed, or is not running after {@code timeout}
   */
  public void awaitRunning(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (state() != KafkaStreams.State.RUNNING) {
      if (failure.get() != null || state() == KafkaStreams.State.ERROR) {
        throw new FleetException("fleet table failed: " + failure.get(), failure.get());
      }
      if (System.nanoTime() > end) {
        throw new FleetException("fleet table not running after " + timeout.toSeconds() + " s: " + state());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FleetException("interrupted while waiting for the fleet table", e);
      }
    }
  }

  /** {@return what stopped Kafka Streams, or null while nothing did} */
  public Throwable failure() {
    return failure.get();
  }

  /** {@return Kafka Streams' state of this instance ({@code RUNNING} when it serves queries)} */
  public KafkaStreams.State state() {
    return streams == null ? KafkaStreams.State.CREATED : streams.state();
  }

  /** {@return the HTTP port this instance listens on} */
  public int port() {
    return http.port();
  }

  /** {@return records of the map topics that were no map entry (ring events, foreign records)} */
  public long skippedRecords() {
    return skipped.get();
  }

  /** {@return the Kafka Streams instance, for its metrics (owned by this table)} */
  KafkaStreams streams() {
    return streams;
  }

  /**
   * The live nodes' records of a map, from every instance.
   *
   * @param map the map's name
   * @param node only this node's, or null for every live node's
   * @return the records as their nodes published them
   * @throws FleetException when the table is rebalancing for longer than 10 s or an instance does
   *     not answer
   */
  public List<JsonNode> entries(String map, String node) {
    return queries.entries(map, node);
  }

  /**
   * One record, asked of the instance that holds its key.
   *
   * @param map the map's name
   * @param node the node's name
   * @param key the key as the records carry it ({@code {"dport":443,…}}, fields in layout order)
   * @param cpu the CPU of a per-CPU record, or null
   * @return the record, or empty when the node is not live or holds no such key
   */
  public Optional<JsonNode> entry(String map, String node, JsonNode key, Integer cpu) {
    return queries.entry(map, node, key, cpu);
  }

  /**
   * An aggregate's groups over the live nodes, ordered by their fields (numbers by value).
   *
   * @param name the aggregate's name
   * @return its groups; none when no live node has an entry in the map
   * @throws FleetException when there is no such aggregate
   */
  public List<FleetGroup> aggregate(String name) {
    return queries.aggregate(name);
  }

  /** {@return every node that sent a heartbeat, live or silent, by name} */
  public List<FleetNode> nodes() {
    return queries.nodes();
  }

  /** {@return the aggregates, by name} */
  public Map<String, FleetAggregate> aggregates() {
    return Map.copyOf(aggregates);
  }

  /**
   * Stops serving, then closes Kafka Streams (committing what it read, and leaving the group so
   * that the other instances take its partitions at once), for up to 30 s.
   */
  @Override
  public synchronized void close() {
    if (http != null) {
      http.close();
    }
    if (queries != null) {
      queries.close();
    }
    if (streams != null) {
      // leave the group at once: the others take over its partitions now, not after the session times out
      streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
          .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
  }
}
