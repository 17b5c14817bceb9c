package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.TestCertificates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint over TLS with a client certificate and basic auth: a real Prometheus server scrapes
 * it, and clients without the certificate or the password are refused.
 */
@Tag("prometheus")
class SecuredEndpointTest {
  private static final String PASSWORD = "s3cret";
  @TempDir
  static Path certsDir;
  private static TestCertificates certs;
  private static String hash;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.make(certsDir);
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    hash = OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 10);
  }

  /** The server's key as SEC1 (openssl ec): {@link #web(WebConfig.ClientAuth, String)} takes another. */
  private static WebConfig web(WebConfig.ClientAuth auth) {
    return web(auth, "server-sec1.key");
  }

  private static WebConfig web(WebConfig.ClientAuth auth, String key) {
    return new WebConfig(new WebConfig.Tls(certs.file("server.pem"), certs.file(key), auth,
        certs.file("ca.pem"), "TLS12", "TLS13", List.of(), List.of(), false), Map.of("prometheus", hash),
        Map.of("X-Content-Type-Options", "nosniff"));
  }

  private static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("bpfmap.secured.test").register(registry).increment(7);
    return registry;
  }

  @Test
  void prometheusScrapesOverTlsWithBasicAuthAndIsRefusedWithoutThem(@TempDir Path tmp) throws Exception {
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry(),
        web(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT))) {
      String target = "127.0.0.1:" + server.port();
      String tls = "scheme: https\ntls_config: {ca_file: %s, server_name: localhost%s}\n";
      String cert = ", cert_file: " + certs.file("client.pem") + ", key_file: " + certs.file("client.key");
      String good = tls.formatted(certs.file("ca.pem"), cert) + "basic_auth: {username: prometheus, password: "
          + PASSWORD + "}\n";
      String badPassword = tls.formatted(certs.file("ca.pem"), cert) + "basic_auth: {username: prometheus, password: "
          + "guess}\n";
      String noCert = tls.formatted(certs.file("ca.pem"), "") + "basic_auth: {username: prometheus, password: "
          + PASSWORD + "}\n";
      try (PrometheusProcess prom = PrometheusProcess.startJobs(tmp, PrometheusProcess.job("good", target, good),
          PrometheusProcess.job("badpassword", target, badPassword), PrometheusProcess.job("nocert", target, noCert))) {
        prom.await("bpfmap_secured_test_total{job=\"good\"}",
            r -> r.size() == 1 && r.get(0).get("value").get(1).asText().equals("7"));
        prom.await("up", r -> r.size() == 3);
        assertThat(prom.query("up{job=\"good\"}").get(0).get("value").get(1).asText()).isEqualTo("1");
        assertThat(prom.query("up{job=\"badpassword\"}").get(0).get("value").get(1).asText()).isEqualTo("0");
        assertThat(prom.query("up{job=\"nocert\"}").get(0).get("value").get(1).asText()).isEqualTo("0");
        assertThat(prom.target("badpassword").path("lastError").asText()).contains("401");
        assertThat(prom.target("nocert").path("lastError").asText()).containsAnyOf("certificate", "tls", "EOF",
            "connection reset");
      }
    }
  }

  @Test
  void clientsWithoutTheCertificateOrThePasswordAreRefusedOnEveryPath() throws Exception {
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry(),
        web(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT))) {
      HttpClient client = client("client");
      for (String path : List.of("/metrics", "/health", "/")) {
        HttpResponse<String> ok = get(client, server.port(), path, PASSWORD);
        assertThat(ok.statusCode()).as(path).isEqualTo(200);
        assertThat(ok.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(get(client, server.port(), path, "guess").statusCode()).as(path + " wrong password").isEqualTo(401);
        HttpResponse<String> anonymous = get(client, server.port(), path, null);
        assertThat(anonymous.statusCode()).as(path + " no password").isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
            .startsWith("Basic realm=\"bpfmap\""));
      }
      assertThat(get(client, server.port(), "/metrics", PASSWORD).body()).contains("bpfmap_secured_test_total 7.0");
      assertThatThrownBy(() -> get(client(null), server.port(), "/metrics", PASSWORD)).as("no certificate")
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(client("stranger"), server.port(), "/metrics", PASSWORD))
          .as("a certificate of another CA").isInstanceOf(IOException.class);
    }
    // a client certificate asked for, not required: a client without one gets in with the password
    // (and the server's key as PKCS#8 this time)
    try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry(),
        web(WebConfig.ClientAuth.VERIFY_CLIENT_CERT_IF_GIVEN, "server.key"))) {
      assertThat(get(client(null), server.port(), "/metrics", PASSWORD).statusCode()).isEqualTo(200);
      // Java's client keeps back a certificate the server's CAs did not issue: curl sends it anyway
      assertThat(curl(server.port(), "client")).isEqualTo("200");
      assertThat(curl(server.port(), "stranger")).as("given, so verified: no HTTP status").isEqualTo("000");
    }
  }

  @Test
  void wrongFilesAndSettingsAreOneLineErrors(@TempDir Path tmp) throws Exception {
    PrometheusMeterRegistry registry = registry();
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    Path missing = tmp.resolve("missing.key");
    WebConfig.Tls tls = web(WebConfig.ClientAuth.NO_CLIENT_CERT).tls();
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(), missing,
        tls.clientAuth(), null, "TLS12", "TLS13", List.of(), List.of(), false), Map.of(), Map.of())))
        .hasMessage("tls_server_config.key_file " + missing + ": cannot read it (NoSuchFileException)");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(),
        certs.file("ca.pem"), tls.clientAuth(), null, "TLS12", "TLS13", List.of(), List.of(), false), Map.of(), Map.of())))
        .hasMessage("tls_server_config.key_file " + certs.file("ca.pem") + ": a X509CertificateHolder, not an "
            + "unencrypted private key (PKCS#8, PKCS#1 or SEC1)");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(),
        certs.file("client.key"), tls.clientAuth(), null, "TLS12", "TLS13", List.of(), List.of(), false), Map.of(),
        Map.of()))).hasMessage("tls_server_config.key_file " + certs.file("client.key") + ": not the key of the "
            + "certificate in cert_file " + tls.certFile());
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(certs.file("server.key"),
        tls.keyFile(), tls.clientAuth(), null, "TLS12", "TLS13", List.of(), List.of(), false), Map.of(), Map.of())))
        .hasMessage("tls_server_config.cert_file " + certs.file("server.key") + ": not a PEM certificate");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(),
        tls.keyFile(), WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT, null, "TLS12", "TLS13", List.of(), List.of(),
        false), Map.of(), Map.of())))
        .hasMessage("tls_server_config.client_ca_file: required with client_auth_type RequireAndVerifyClientCert");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(),
        tls.keyFile(), tls.clientAuth(), null, "TLS13", "TLS12", List.of(), List.of(), false), Map.of(), Map.of())))
        .hasMessage("tls_server_config: min_version TLS13 is above max_version TLS12");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(new WebConfig.Tls(tls.certFile(),
        tls.keyFile(), tls.clientAuth(), null, "TLS12", "TLS13", List.of("TLS_NOPE"), List.of(), false), Map.of(),
        Map.of()))).hasMessage("tls_server_config.cipher_suites: 'TLS_NOPE' is not a suite this JDK has");
    assertThatThrownBy(() -> MetricsServer.start(any, registry, new WebConfig(null, Map.of("alice", PASSWORD), Map.of())))
        .hasMessage("basic_auth_users.alice: not a bcrypt hash ($2y$10$ and 53 characters, as htpasswd -nB writes it)")
        .message().doesNotContain(PASSWORD);
    assertThatThrownBy(() -> WebConfig.ClientAuth.of("Always")).hasMessage("unknown client_auth_type 'Always' "
        + "(NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
  }

  /** An HTTPS client trusting the test CA, presenting {@code cert}'s certificate (none when null). */
  private static HttpClient client(String cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.file("ca.pem"))) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (cert != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(certs.pkcs12(cert))) {
        keys.load(in, "x".toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "x".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).build();
  }

  /** The HTTP status curl gets for /metrics with {@code cert}'s certificate and the password; 000 when refused. */
  private static String curl(int port, String cert) throws Exception {
    Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert",
        certs.file("ca.pem").toString(), "--cert", certs.file(cert + ".pem").toString(), "--key",
        certs.file(cert + ".key").toString(), "-u", "prometheus:" + PASSWORD, "https://localhost:" + port + "/metrics")
        .start();
    String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return status;
  }

  private static HttpResponse<String> get(HttpClient client, int port, String path, String password) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("https://localhost:" + port + path));
    if (password != null) {
      r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("prometheus:" + password)
          .getBytes(StandardCharsets.UTF_8)));
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
