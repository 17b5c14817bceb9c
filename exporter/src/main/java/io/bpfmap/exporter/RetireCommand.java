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
      "The node whose keys go: the name its records carry (its config's node:).").asRequired();
  static final Command COMMAND = new Command("retire",
      "Tombstone every key a node holds in the topics of a config's maps (a node taken out of the fleet).",
      List.of(ExportCommand.CONFIG, NODE), List.of("", "Stop the node's daemon first: what it sends after is not "
          + "tombstoned.", "", "Example:", "  bpfmap retire --config /etc/bpfmap/bpfmap.yaml --node web-7"),
      RetireCommand::new);

  private final Path config;
  private final String node;

  private RetireCommand(Args a) {
    config = a.path(ExportCommand.CONFIG);
    node = a.value(NODE);
  }

  @Override
  public Integer call() {
    Config cfg = Config.load(config);
    if (cfg.kafka() == null) {
      throw new CliException(config + ": sinks.kafka: required, to know the topics and how to reach them");
    }
    var k = cfg.kafka();
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers(k.bootstrapServers()).topic(k.topic()).node(node)
        .producerProperties(k.producer()).createTopics(false).build()) {
      sink.checkReachable(k.connectTimeout());
      Set<String> topics = new LinkedHashSet<>();
      cfg.maps().forEach(m -> topics.add(sink.topicFor(m.name())));
      for (String topic : topics) {
        long n = sink.retire(node, topic, Duration.ofMinutes(10));
        System.out.println(topic + ": " + n + " keys of node '" + node + "' tombstoned");
      }
    }
    return 0;
  }
}
