package io.bpfmap.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/** The producer's settings: bpfmap's defaults under the user's, and their checks before anything starts. */
final class ProducerSettings {
  private ProducerSettings() {}

  /** The producer settings bpfmap uses, under the user's overrides. */
  static Properties properties(KafkaSink.Builder b) {
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
   * a container's service name may resolve only then). Nothing is contacted.
   *
   * @param bootstrapServers the {@code bootstrap.servers} list, comma-separated host:port
   * @param producer producer properties the user sets, as for {@link KafkaSink.Builder#producerProperties}
   * @throws KafkaSinkException naming the setting where it can
   *     ({@link KafkaSinkException#setting()}) when a property is unknown, sets a serializer
   *     or has a value Kafka refuses, when a server is not host:port, or when
   *     {@code delivery.timeout.ms} is below {@code linger.ms + request.timeout.ms}
   */
  static void check(String bootstrapServers, Map<String, String> producer) {
    for (String key : producer.keySet()) {
      if (!ProducerConfig.configNames().contains(key)) {
        throw new KafkaSinkException("unknown producer setting (see Kafka's producer configs)", key, null);
      }
      if (key.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG) || key.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
        throw new KafkaSinkException("bpfmap sends bytes: the serializers are its own", key, null);
      }
    }
    Properties p = properties(KafkaSink.builder().bootstrapServers(bootstrapServers).producerProperties(producer));
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
}
