package io.bpfmap.exporter;

import io.bpfmap.kafka.KafkaSecurity;
import io.bpfmap.kafka.KafkaSink;
import io.bpfmap.kafka.KafkaSinkException;
import io.bpfmap.metrics.MetricsServer;
import io.bpfmap.metrics.WebConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The {@code sinks:} of a config: Kafka, the Prometheus endpoint and OTLP push. */
final class SinkConfigs {
  private SinkConfigs() {}

  /** A sink with every setting of {@code sinks.kafka}, as node {@code node}. */
  static KafkaSink.Builder sink(Config.KafkaConfig k, String node) {
    KafkaSink.Builder b = KafkaSink.builder().bootstrapServers(k.bootstrapServers()).topic(k.topic()).node(node)
        .producerProperties(k.producer()).createTopics(k.createTopics()).maxInFlight(k.maxInFlight())
        .partitions(k.topics().partitions()).topicConfigs(k.topics().configs())
        .tombstones(k.changeEvents().tombstones()).cycleMarkers(k.changeEvents().cycleMarkers());
    if (k.topics().replicationFactor() != null) {
      b.replicationFactor(k.topics().replicationFactor());
    }
    return b;
  }

  static Config.KafkaConfig kafka(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("bootstrap-servers", "topic", "producer", "create-topics", "max-in-flight", "connect-timeout",
        "topic-partitions", "topic-replication-factor", "topic-configs", "tls", "sasl", "tombstones", "cycle-markers",
        "heartbeat-topic", "heartbeat-interval"));
    // the producer's security settings from tls and sasl, under what producer sets itself
    Map<String, String> producer = new LinkedHashMap<>(security(m, at));
    if (m.get("producer") != null) {
      YamlValues.object(m.get("producer"), at + ".producer").forEach((k, v) -> producer.put(k, String.valueOf(v)));
    }
    String bootstrap = YamlValues.string(YamlValues.required(m, "bootstrap-servers", at), at + ".bootstrap-servers");
    try {
      KafkaSink.checkSettings(bootstrap, producer);
    } catch (KafkaSinkException e) {
      throw new CliException(at + (e.setting() == null ? "" : e.setting().equals("bootstrap.servers")
          ? ".bootstrap-servers" : ".producer." + e.setting()) + ": " + e.getMessage(), e);
    }
    return new Config.KafkaConfig(bootstrap,
        m.containsKey("topic") ? YamlValues.string(m.get("topic"), at + ".topic") : "bpfmap.{map}", producer,
        m.containsKey("create-topics") ? YamlValues.bool(m.get("create-topics"), at + ".create-topics") : true,
        m.containsKey("max-in-flight") ? YamlValues.integer(m.get("max-in-flight"), at + ".max-in-flight", 1) : 16_384,
        m.containsKey("connect-timeout") ? Config.duration(m.get("connect-timeout"), at + ".connect-timeout") : Duration.ofSeconds(10),
        topics(m, at), changeEvents(m, at));
  }

  /** {@code tombstones}, {@code cycle-markers}, {@code heartbeat-topic}, {@code heartbeat-interval} ({@code off}: none). */
  private static Config.ChangeEvents changeEvents(Map<String, Object> m, String at) {
    Config.ChangeEvents d = Config.ChangeEvents.DEFAULT;
    Duration heartbeats = d.heartbeatInterval();
    if (m.containsKey("heartbeat-interval")) {
      Object v = m.get("heartbeat-interval");
      heartbeats = "off".equals(String.valueOf(v)) || Boolean.FALSE.equals(v) ? null
          : Config.duration(m.get("heartbeat-interval"), at + ".heartbeat-interval");
    }
    return new Config.ChangeEvents(
        m.containsKey("tombstones") ? YamlValues.bool(m.get("tombstones"), at + ".tombstones") : d.tombstones(),
        m.containsKey("cycle-markers") ? YamlValues.bool(m.get("cycle-markers"), at + ".cycle-markers") : d.cycleMarkers(),
        m.containsKey("heartbeat-topic") ? YamlValues.string(m.get("heartbeat-topic"), at + ".heartbeat-topic")
            : d.heartbeatTopic(), heartbeats);
  }

  private static Config.Topics topics(Map<String, Object> m, String at) {
    Map<String, String> configs = new LinkedHashMap<>();
    if (m.get("topic-configs") != null) {
      YamlValues.object(m.get("topic-configs"), at + ".topic-configs").forEach((k, v) -> configs.put(k, String.valueOf(v)));
    }
    Short replication = m.containsKey("topic-replication-factor")
        ? (short) YamlValues.integer(m.get("topic-replication-factor"), at + ".topic-replication-factor", 1) : null;
    return new Config.Topics(m.containsKey("topic-partitions") ? YamlValues.integer(m.get("topic-partitions"), at + ".topic-partitions", 1)
        : 1, replication, configs);
  }

  static Config.PromConfig prometheus(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("listen", "web-config"));
    WebConfig web = m.get("web-config") == null ? WebConfig.NONE
        : WebConfigFile.load(Path.of(YamlValues.string(m.get("web-config"), at + ".web-config")), at + ".web-config");
    String listen = m.containsKey("listen") ? YamlValues.string(m.get("listen"), at + ".listen") : "0.0.0.0:" + MetricsServer.DEFAULT_PORT;
    int colon = listen.lastIndexOf(':');
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      if (colon < 0 || port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new Config.PromConfig(colon == 0 ? "0.0.0.0" : listen.substring(0, colon), port, web);
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CliException(at + ".listen: expected host:port, got '" + listen + "'");
    }
  }

  /**
   * The producer settings of {@code tls: {ca-file, cert-file, key-file}} and
   * {@code sasl: {mechanism, username, password}}; the files are read now.
   */
  private static Map<String, String> security(Map<String, Object> m, String at) {
    KafkaSecurity.Tls tls = null;
    if (m.get("tls") != null) {
      Map<String, Object> t = YamlValues.object(m.get("tls"), at + ".tls");
      YamlValues.keys(t, at + ".tls", Set.of("ca-file", "cert-file", "key-file"));
      try {
        tls = new KafkaSecurity.Tls(path(YamlValues.required(t, "ca-file", at + ".tls"), at + ".tls.ca-file"),
            t.get("cert-file") == null ? null : path(t.get("cert-file"), at + ".tls.cert-file"),
            t.get("key-file") == null ? null : path(t.get("key-file"), at + ".tls.key-file"));
      } catch (KafkaSinkException e) {
        throw new CliException(at + ".tls: " + e.getMessage(), e);
      }
    }
    KafkaSecurity.Sasl sasl = null;
    if (m.get("sasl") != null) {
      Map<String, Object> a = YamlValues.object(m.get("sasl"), at + ".sasl");
      YamlValues.keys(a, at + ".sasl", Set.of("mechanism", "username", "password"));
      try {
        sasl = new KafkaSecurity.Sasl(YamlValues.string(a.getOrDefault("mechanism", "SCRAM-SHA-512"),
            at + ".sasl.mechanism"), YamlValues.string(YamlValues.required(a, "username", at + ".sasl"),
            at + ".sasl.username"), YamlValues.string(YamlValues.required(a, "password", at + ".sasl"),
            at + ".sasl.password"));
      } catch (KafkaSinkException e) {
        throw new CliException(at + ".sasl.mechanism: " + e.getMessage(), e);
      }
    }
    try {
      return new KafkaSecurity(tls, sasl).properties();
    } catch (KafkaSinkException e) {
      throw new CliException(at + ".tls." + e.getMessage(), e);
    }
  }

  private static Path path(Object v, String at) {
    return Path.of(YamlValues.string(v, at));
  }

  static Config.OtlpConfig otlp(Object tree, String at) {
    Map<String, Object> m = YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("endpoint", "headers", "interval", "resource-attributes"));
    String endpoint = YamlValues.string(YamlValues.required(m, "endpoint", at), at + ".endpoint");
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new CliException(at + ".endpoint: '" + endpoint + "' is not a URL", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new CliException(at + ".endpoint: expected an http:// or https:// URL (OTLP over HTTP, "
          + "http://collector:4318/v1/metrics), got '" + endpoint + "'");
    }
    return new Config.OtlpConfig(uri, strings(m.get("headers"), at + ".headers"),
        m.containsKey("interval") ? Config.duration(m.get("interval"), at + ".interval") : Duration.ofSeconds(60),
        strings(m.get("resource-attributes"), at + ".resource-attributes"));
  }

  private static Map<String, String> strings(Object tree, String at) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tree != null) {
      YamlValues.object(tree, at).forEach((k, v) -> out.put(k, YamlValues.string(v, at + "." + k)));
    }
    return out;
  }
}
