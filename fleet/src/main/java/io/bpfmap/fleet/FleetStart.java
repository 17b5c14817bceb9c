package io.bpfmap.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What a fleet table checks before it starts, each failure one line: its Kafka Streams settings,
 * its state directory, the topics (there, and alike in partitions), its advertised address; and
 * the settings it gives Kafka Streams.
 */
final class FleetStart {
  /** Settings the table makes itself: {@code streams} settings may not replace them. */
  static final Set<String> OWN = Set.of(StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
      StreamsConfig.APPLICATION_SERVER_CONFIG, StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.NUM_STREAM_THREADS_CONFIG,
      StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG);

  private FleetStart() {}

  /** The user's Kafka Streams settings: none of the table's own, and each valid. */
  static void checkStreams(Map<String, String> streams, String bootstrap) {
    for (String k : new TreeMap<>(streams).keySet()) {
      if (OWN.contains(k)) {
        throw new FleetException("Kafka Streams setting " + k + " is the fleet table's own: set it through the table "
            + "(application id, bootstrap servers, advertise, state dir, threads)");
      }
    }
    Properties p = new Properties();
    p.putAll(streams);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "check");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try {
      new StreamsConfig(p);
    } catch (ConfigException e) {
      throw new FleetException("Kafka Streams refuses the settings: " + e.getMessage(), e);
    }
  }

  /** {@return the address as Kafka Streams reads it} */
  static HostInfo advertised(String hostPort) {
    try {
      return HostInfo.buildFromEndpoint(hostPort);
    } catch (ConfigException e) {
      throw new FleetException("advertise: '" + hostPort + "' is not HOST:PORT", e);
    }
  }

  static void stateDir(Path dir) {
    try {
      Files.createDirectories(dir);
      if (!Files.isWritable(dir)) {
        throw new IOException("not writable");
      }
    } catch (IOException e) {
      throw new FleetException("state dir " + dir + ": cannot write there (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The application id Kafka Streams gets: {@code base} and a fingerprint of what the table
   * computes (its aggregates and maps). A changed aggregate is then a new application, which
   * reads the topics from their start: Kafka Streams would feed an aggregate added to a running
   * application only the records that come after it.
   */
  static String applicationId(String base, List<FleetAggregate> aggregates, List<String> maps) {
    StringBuilder what = new StringBuilder(String.join(",", new java.util.TreeSet<>(maps)));
    aggregates.stream().sorted(java.util.Comparator.comparing(FleetAggregate::name)).forEach(a -> what.append('|')
        .append(a.name()).append(':').append(a.map()).append(':').append(a.by()).append(':').append(a.sum()));
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
      return base + "-" + HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The table's settings over the user's: the user's first, then what the table needs. */
  static Properties settings(Map<String, String> client, Map<String, String> streams, String applicationId,
      String bootstrap, String advertised, Path stateDir, int threads) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // topics by pattern: a new node's topic is found at the next metadata refresh
    if (!streams.containsKey(ConsumerConfig.METADATA_MAX_AGE_CONFIG)) {
      p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "30000");
    }
    p.putAll(streams);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertised);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads));
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.BytesSerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.BytesSerde.class.getName());
    return p;
  }

  /**
   * The topics exist, and the map topics have one partition count: Kafka Streams finds a key's
   * partition by the largest count of its sources, where the nodes' producers used their topic's.
   *
   * @param pattern the topics' pattern instead of {@code topics} (those that exist now are
   *     checked), or null
   * @param heartbeats the heartbeat topic, or null when the table reads none
   */
  static void checkTopics(Map<String, String> client, String bootstrap, List<String> topics,
      java.util.regex.Pattern pattern, String heartbeats, Duration timeout) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
    List<String> all = new ArrayList<>(topics);
    if (heartbeats != null) {
      all.add(heartbeats);
    }
    try (Admin admin = Admin.create(p)) {
      Set<String> exist = admin.listTopics().names().get();
      if (pattern != null) {
        topics = exist.stream().filter(t -> pattern.matcher(t).matches() && !t.equals(heartbeats)).sorted().toList();
        if (topics.isEmpty()) {
          throw new FleetException("no topic at " + bootstrap + " matches " + pattern + ": start a node first (it "
              + "creates its topic), or create one");
        }
      }
      for (String t : all) {
        if (!exist.contains(t)) {
          throw new FleetException("topic '" + t + "' does not exist at " + bootstrap
              + (t.equals(heartbeats) ? " (the heartbeat topic)" : "") + ": start a node that exports to it, or create it");
        }
      }
      Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
      Map<Integer, String> counts = new TreeMap<>();
      described.forEach((name, d) -> counts.putIfAbsent(d.partitions().size(), name));
      if (counts.size() > 1) {
        throw new FleetException("the map topics differ in partitions (" + counts.entrySet().stream()
            .map(e -> "'" + e.getValue() + "' has " + e.getKey()).toList() + "): give them one count, or run one table "
            + "per count");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FleetException("interrupted while reading the topics of " + bootstrap, e);
    } catch (ExecutionException e) {
      throw new FleetException("kafka at " + bootstrap + " did not list its topics within " + timeout.toSeconds()
          + " s: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
