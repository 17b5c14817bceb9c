package io.bpfmap.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.stream.MapStream;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.TestCertificates;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import io.bpfmap.kafka.broker.EmbeddedKafka.Listener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The sink against a broker with TLS, mTLS and SASL (PLAIN, SCRAM-SHA-256 and -512) listeners: each
 * way in exports a map's entries; a wrong password, an untrusted broker and a missing client
 * certificate are refused at start in one line.
 */
@KernelTest
class KafkaSecurityTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  @TempDir
  static Path dir;
  private static TestCertificates certs;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    certs = TestCertificates.make(Files.createDirectories(dir.resolve("certs")));
    kafka = EmbeddedKafka.startSecured(dir.resolve("kafka"), new EmbeddedKafka.Secured(
        Files.readString(certs.file("server.pem")), Files.readString(certs.file("server.key")),
        Files.readString(certs.file("ca.pem")), Map.of("bpfmap", "s3cret\"quoted")));
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static KafkaSecurity.Tls tls() {
    return new KafkaSecurity.Tls(certs.file("ca.pem"), null, null);
  }

  private static KafkaSecurity.Tls mtls() {
    return new KafkaSecurity.Tls(certs.file("ca.pem"), certs.file("client.pem"), certs.file("client.key"));
  }

  private static KafkaSecurity.Sasl sasl(String mechanism, String password) {
    return new KafkaSecurity.Sasl(mechanism, "bpfmap", password);
  }

  /** Exports 3 entries through {@code listener} with {@code security}; reads them back in plaintext. */
  private static void exportsThrough(Listener listener, KafkaSecurity security, String name) throws Exception {
    try (BpfMap map = Flows.create("t_" + name, 16);
        KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers(listener)).security(security)
            .node("n1").createTopics(true).build()) {
      sink.checkReachable(Duration.ofSeconds(20));
      Flows.fill(map, 3, 0);
      MapStream stream = Flows.stream(map, name, Mode.SNAPSHOT, Schedulers.parallel());
      KafkaExport export = sink.export(stream);
      Await.until(() -> export.acknowledged() >= 3);
      assertThat(export.stop(TIMEOUT)).isZero();
    }
    assertThat(Topics.readAll(kafka.bootstrapServers(), "bpfmap." + name, 3, TIMEOUT)).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void everyWayInExportsTheMap() throws Exception {
    exportsThrough(Listener.SSL, new KafkaSecurity(tls(), null), "tls");
    exportsThrough(Listener.MTLS, new KafkaSecurity(mtls(), null), "mtls");
    exportsThrough(Listener.SASL_PLAINTEXT, new KafkaSecurity(null, sasl("PLAIN", "s3cret\"quoted")), "plain");
    exportsThrough(Listener.SASL_PLAINTEXT, new KafkaSecurity(null, sasl("SCRAM-SHA-256", "s3cret\"quoted")), "scram256");
    exportsThrough(Listener.SASL_SSL, new KafkaSecurity(tls(), sasl("SCRAM-SHA-512", "s3cret\"quoted")), "scram512");
  }

  private static void refused(Listener listener, KafkaSecurity security, String message) {
    try (KafkaSink sink = KafkaSink.builder().bootstrapServers(kafka.bootstrapServers(listener)).security(security)
        .build()) {
      assertThatThrownBy(() -> sink.checkReachable(Duration.ofSeconds(20))).as(listener + " " + security)
          .hasMessageStartingWith("kafka at " + kafka.bootstrapServers(listener) + " refused bpfmap: ")
          .hasMessageContaining(message).message().doesNotContain("\n").doesNotContain("guess");
    }
  }

  @Test
  void aWrongPasswordOrCertificateIsRefusedInOneLine() {
    refused(Listener.SASL_PLAINTEXT, new KafkaSecurity(null, sasl("SCRAM-SHA-512", "guess")), "invalid credentials");
    refused(Listener.SASL_SSL, new KafkaSecurity(tls(), sasl("PLAIN", "guess")), "Invalid username or password");
    // a broker whose CA the sink does not trust
    refused(Listener.SSL, new KafkaSecurity(new KafkaSecurity.Tls(certs.file("other-ca.pem"), null, null), null),
        "SSL handshake failed");
    // mTLS without a client certificate, and with one of another CA
    refused(Listener.MTLS, new KafkaSecurity(tls(), null), "certificate_required");
    refused(Listener.MTLS, new KafkaSecurity(new KafkaSecurity.Tls(certs.file("ca.pem"), certs.file("stranger.pem"),
        certs.file("stranger.key")), null), "certificate");
  }

  @Test
  void filesThatAreNotTheRightPemAreNamed() {
    Path sec1 = certs.file("server-sec1.key");
    assertThatThrownBy(() -> new KafkaSecurity(new KafkaSecurity.Tls(certs.file("ca.pem"), certs.file("client.pem"), sec1),
        null).properties()).hasMessage("key-file " + sec1 + ": Kafka reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY); "
            + "convert it with openssl pkcs8 -topk8 -nocrypt -in " + sec1);
    assertThatThrownBy(() -> new KafkaSecurity(new KafkaSecurity.Tls(certs.file("client.key"), null, null), null)
        .properties()).hasMessage("ca-file " + certs.file("client.key") + ": no PEM certificate in it");
    Path none = dir.resolve("none.pem");
    assertThatThrownBy(() -> new KafkaSecurity(new KafkaSecurity.Tls(none, null, null), null).properties())
        .hasMessage("ca-file " + none + ": cannot read it (NoSuchFileException)");
    assertThatThrownBy(() -> new KafkaSecurity.Tls(certs.file("ca.pem"), certs.file("client.pem"), null))
        .hasMessage("a client certificate (mTLS) needs both its cert-file and its key-file");
    assertThatThrownBy(() -> sasl("GSSAPI", "x")).hasMessage("unknown SASL mechanism 'GSSAPI' (PLAIN, SCRAM-SHA-256, "
        + "SCRAM-SHA-512)");
    assertThat(sasl("PLAIN", "s3cret").toString()).doesNotContain("s3cret");
  }
}
