package io.bpfmap.exporter;

import io.bpfmap.kafka.KafkaSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Tombstones every key a node holds in the topics of a config's maps: for a node taken out of the
 * fleet, whose entries a compacted topic would otherwise keep forever. Reads each topic to its
 * end with the config's Kafka settings (security too); one line per topic.
 */
final class RetireCommand implements Callable<Integer> {
  static final Command.Opt NODE = Command.Opt.value("--node", "NODE",
      "The node whose keys go: the name its records carry (its config's node:).");
  static final Command.Opt EXPIRED = Command.Opt.value("--expired", "DURATION",
      "Instead of --node: every node whose last heartbeat is older than this (e.g. 5m; a few heartbeat intervals).");
  static final Command COMMAND = new Command("retire",
      "Tombstone every key a node holds in the topics of a config's maps (a node taken out of the fleet).",
      List.of(ExportCommand.CONFIG, NODE, EXPIRED), List.of("", "Stop the node's daemon first: what it sends after is "
          + "not tombstoned. Its heartbeat goes too. With --expired, every node that stopped sending heartbeats goes. "
          + "Reading a topic may take 10 minutes at most.", "",
          "Examples:", "  bpfmap retire --config /etc/bpfmap/bpfmap.yaml --node web-7",
          "  bpfmap retire --config /etc/bpfmap/bpfmap.yaml --expired 10m"), RetireCommand::new);

  private final Path config;
  private final String node;
  private final String expired;

  private RetireCommand(Args a) {
    config = a.path(ExportCommand.CONFIG);
    node = a.value(NODE);
    expired = a.value(EXPIRED);
    if ((node == null) == (expired == null)) {
      throw new CliException("retire: give --node NODE or --expired DURATION (one of them)");
    }
  }

  @Override
  public Integer call() {
    Config cfg = Config.load(config);
    if (cfg.kafka() == null) {
      throw new CliException(config + ": sinks.kafka: required, to know the topics and how to reach them");
    }
    var k = cfg.kafka();
    String heartbeats = k.changeEvents().heartbeatTopic();
    List<String> nodes;
    if (node != null) {
      nodes = List.of(node);
    } else {
      Duration expiry = Config.duration(expired, "--expired");
      try (KafkaSink sink = sink(k, "bpfmap-retire")) {
        sink.checkReachable(k.connectTimeout());
        nodes = sink.silentNodes(heartbeats, expiry, TIMEOUT);
      }
      System.out.println(nodes.size() + " nodes sent no heartbeat in " + expired
          + (nodes.isEmpty() ? "" : ": " + String.join(", ", nodes)));
    }
    for (String n : nodes) {
      try (KafkaSink sink = sink(k, n)) {
        sink.checkReachable(k.connectTimeout());
        Set<String> topics = new LinkedHashSet<>();
        cfg.maps().forEach(m -> topics.add(sink.topicFor(m.name())));
        if (k.changeEvents().heartbeatInterval() != null) {
          topics.add(heartbeats);  // its heartbeat too: else --expired would find it again
        }
        for (String topic : topics) {
          long gone = sink.retire(n, topic, TIMEOUT);
          System.out.println(topic + ": " + gone + " keys of node '" + n + "' tombstoned");
        }
      }
    }
    return 0;
  }

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  /** A sink with the config's Kafka settings, as node {@code node} (the topic pattern may name it). */
  private static KafkaSink sink(Config.KafkaConfig k, String node) {
    return SinkConfigs.sink(k, node).createTopics(false).build();
  }
}
