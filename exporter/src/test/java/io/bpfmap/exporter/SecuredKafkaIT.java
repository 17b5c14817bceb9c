package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfObject;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.bpfmap.core.testing.TestCertificates;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon against a secured broker, configured with {@code sinks.kafka.tls} and
 * {@code sinks.kafka.sasl}: SCRAM over TLS exports the map; a wrong password is one line at
 * start and exit 2, and the password is in no output.
 */
@KernelTest
class SecuredKafkaIT {
  @Test
  void scramOverTlsExportsAndAWrongPasswordStopsTheStart(PinDir pins, @TempDir Path tmp) throws Exception {
    TestCertificates certs = TestCertificates.make(Files.createDirectories(tmp.resolve("certs")));
    Files.writeString(tmp.resolve("password"), "s3cret-pw\n");
    try (EmbeddedKafka kafka = EmbeddedKafka.startSecured(tmp.resolve("kafka"), new EmbeddedKafka.Secured(
            Files.readString(certs.file("server.pem")), Files.readString(certs.file("server.key")),
            Files.readString(certs.file("ca.pem")), Map.of("bpfmap", "s3cret-pw")));
        BpfObject obj = BpfObject.open(BpfPrograms.compile("histograms"))) {
      obj.pinMaps(pins.path());
      String config = """
          node: n1
          maps:
            - {name: lat, pin: %s/latency_percpu, interval: 200ms}
          sinks:
            kafka:
              bootstrap-servers: "%s"
              connect-timeout: 20s
              tls: {ca-file: %s, cert-file: %s, key-file: %s}
              sasl: {mechanism: SCRAM-SHA-512, username: bpfmap, password: "%s"}
          """;
      String broker = kafka.bootstrapServers(EmbeddedKafka.Listener.SASL_SSL);
      Path good = Files.writeString(tmp.resolve("good.yaml"), config.formatted(pins.path(), broker, certs.file("ca.pem"),
          certs.file("client.pem"), certs.file("client.key"), "${file:" + tmp.resolve("password") + "}"));
      Process daemon = Cli.startLogged(tmp.resolve("daemon.log"), "export", "--config", good.toString());
      try {
        // the 27 buckets of the per-CPU array, read back over the plaintext listener
        assertThat(KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.lat", 27)).hasSizeGreaterThanOrEqualTo(27);
      } finally {
        daemon.destroy();
      }
      assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(tmp.resolve("daemon.log"));
      assertThat(daemon.exitValue()).as(log).isZero();
      assertThat(log).doesNotContain("s3cret-pw");

      Path bad = Files.writeString(tmp.resolve("bad.yaml"), config.formatted(pins.path(), broker, certs.file("ca.pem"),
          certs.file("client.pem"), certs.file("client.key"), "guess-pw"));
      Cli.Result refused = Cli.run("export", "--config", bad.toString());
      assertThat(refused.exit()).isEqualTo(2);
      assertThat(refused.err()).contains("kafka at " + broker + " refused bpfmap: ", "invalid credentials")
          .doesNotContain("guess-pw").doesNotContain("\tat ");
      assertThat(refused.err().lines().filter(l -> l.startsWith("bpfmap:"))).hasSize(1);
      Path wrongKey = Files.writeString(tmp.resolve("key.yaml"), config.formatted(pins.path(), broker,
          certs.file("ca.pem"), certs.file("client.pem"), certs.file("server-sec1.key"), "x"));
      Cli.Result key = Cli.run("check", "--config", wrongKey.toString());
      assertThat(key.exit()).isEqualTo(2);
      assertThat(key.err()).isEqualTo("bpfmap: " + wrongKey + ": sinks.kafka.tls.key-file " + certs.file("server-sec1.key")
          + ": Kafka reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY); convert it with openssl pkcs8 -topk8 -nocrypt "
          + "-in " + certs.file("server-sec1.key"));
    }
  }
}
