package io.bpfmap.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * What a sink asks the cluster besides sending: whether it answers (and lets bpfmap in), topics
 * to create, with an admin client that has the producer's security settings.
 */
final class ClusterAdmin {
  private final KafkaSink.Builder config;

  ClusterAdmin(KafkaSink.Builder config) {
    this.config = config;
  }

  /**
   * Asks the cluster for its id with an admin client (the producer's {@code security.},
   * {@code sasl.} and {@code ssl.} settings apply), blocking up to about {@code timeout}.
   *
   * @param timeout how long to wait for a broker
   * @throws KafkaSinkException with a one-line message when no broker answers in time, or the
   *     calling thread is interrupted (its interrupt flag is set again)
   */
  void checkReachable(Duration timeout) {
    try (Admin admin = admin(timeout)) {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException refused) {
        // a wrong password or certificate: say what Kafka said, not that it was unreachable
        throw new KafkaSinkException("kafka at " + config.bootstrapServers + " refused bpfmap: " + why(refused), e);
      }
      throw new KafkaSinkException("kafka at " + config.bootstrapServers + " is not reachable within "
          + timeout.toSeconds() + "s", e);
    } catch (TimeoutException e) {
      throw new KafkaSinkException("kafka at " + config.bootstrapServers + " is not reachable within "
          + timeout.toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaSinkException("interrupted while reaching kafka at " + config.bootstrapServers, e);
    }
  }

  /** Kafka's words for a refusal, with the TLS alert under them when there is one: one line. */
  private static String why(AuthenticationException refused) {
    Throwable root = refused;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String said = String.valueOf(refused.getMessage());
    if (root != refused && root.getMessage() != null && !said.contains(root.getMessage())) {
      said += " (" + root.getMessage() + ")";
    }
    return said.lines().findFirst().orElse("authentication failed");
  }

  /**
   * Creates {@code topic} unless it exists, with the builder's partitions, replication factor and
   * topic configs, and returns once every partition's leader takes writes; blocks for up to 30 s
   * a step. An existing topic is left as it is.
   *
   * @param topic the topic's name
   * @param compacted whether to set {@code cleanup.policy=compact} (kept when the configs already
   *     include compact)
   * @throws KafkaSinkException when the broker refuses the topic, does not answer within 30 s, or
   *     the calling thread is interrupted
   */
  void ensureTopic(String topic, boolean compacted) {
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
      try {
        admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, topic, timeout);
    } catch (ExecutionException e) {
      throw new KafkaSinkException("creating topic '" + topic + "' failed: " + e.getCause().getMessage(), e);
    } catch (TimeoutException e) {
      throw new KafkaSinkException("creating topic '" + topic + "' timed out after 30s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaSinkException("interrupted while creating topic '" + topic + "'", e);
    }
  }

  /**
   * Waits until the leader of each of {@code topic}'s partitions has opened it. The controller
   * answers a topic's creation before its leaders open the partitions, and a write that comes
   * first is refused (NOT_LEADER_OR_FOLLOWER). With several requests in flight the producer then
   * has a later one taken first, and the refused one is refused for good as out of order: its
   * records are lost (KAFKA-15591, fixed in brokers from 4.5). A leader answers an offsets
   * request only for a partition it has opened, and says it does not host it (or is not its
   * leader) until then, as the broker's metadata may not know the topic yet: asked again every
   * 10 ms, for {@code timeout} at most.
   */
  private static void awaitLeaders(Admin admin, String topic, Duration timeout) throws ExecutionException,
      InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(left, TimeUnit.NANOSECONDS).get(topic)
            .partitions().size();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
          ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        admin.listOffsets(ends).all().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  private Admin admin(Duration timeout) {
    Properties p = clientProperties();
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    return Admin.create(p);
  }

  /** The bootstrap servers and the producer's {@code security.}, {@code sasl.} and {@code ssl.} settings. */
  Properties clientProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
    config.producer.forEach((k, v) -> {
      if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
        p.put(k, v);
      }
    });
    return p;
  }
}
