package io.bpfmap.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The producer settings: bpfmap's defaults, under the user's properties, serializers fixed. */
class ProducerPropertiesTest {
  @Test
  void defaultsAreIdempotentAcksAllZstdWithLargeBatches() {
    Properties p = KafkaSink.producerProperties(KafkaSink.builder().bootstrapServers("k:9092").node("web-1"));
    assertThat(p).containsEntry("bootstrap.servers", "k:9092").containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true").containsEntry("compression.type", "zstd")
        .containsEntry("linger.ms", "5").containsEntry("batch.size", "262144")
        .containsEntry("client.id", "bpfmap-web-1");
  }

  @Test
  void userPropertiesWinExceptTheSerializers() {
    Properties p = KafkaSink.producerProperties(KafkaSink.builder().producerProperty("compression.type", "lz4")
        .producerProperty("acks", "1").producerProperty("value.serializer", "com.example.Mine"));
    assertThat(p).containsEntry("compression.type", "lz4").containsEntry("acks", "1")
        .containsEntry("value.serializer", ByteArraySerializer.class.getName());
  }
}
