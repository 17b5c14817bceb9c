package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.metrics.WebConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter toolkit's web config: our example passes promtool's check and ours, with
 * certificates made for it; wrong keys and files are one-line errors naming the key.
 */
class WebConfigFileTest {
  private static final Path EXAMPLE = Cli.HOME.resolve("packaging/web-config.yml");

  /**
   * The example, beside a tls/ directory of certificates made by openssl: a CA, a self-signed
   * server certificate for localhost, and {@code client.pem}/{@code client.key} signed by the CA.
   */
  static Path example(Path dir) throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    run(tls, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days",
        "2", "-subj", "/CN=test CA");
    run(tls, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.pem",
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost");
    run(tls, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
        "/CN=prometheus");
    run(tls, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "client.pem", "-days", "2");
    return Files.copy(EXAMPLE, dir.resolve("web-config.yml"));
  }

  static String run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() + ":" + out.strip();
  }

  @Test
  void promtoolAndBpfmapAcceptTheExample(@TempDir Path tmp) throws Exception {
    Path file = example(tmp);
    boolean promtool = new ProcessBuilder("sh", "-c", "command -v promtool").start().waitFor() == 0;
    if (promtool || io.bpfmap.core.testing.BpfExtension.required()) {
      assertThat(run(tmp, "promtool", "check", "web-config", file.toString())).startsWith("0:").contains("SUCCESS");
    }
    WebConfig web = WebConfigFile.load(file, "sinks.prometheus.web-config");
    assertThat(web.tls().certFile()).isEqualTo(tmp.resolve("tls/server.pem"));
    assertThat(web.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
    assertThat(web.tls().minVersion()).isEqualTo("TLS12");
    assertThat(web.basicAuthUsers()).containsOnlyKeys("prometheus");
    assertThat(web.headers()).containsEntry("X-Content-Type-Options", "nosniff");
  }

  @Test
  void wrongKeysAndFilesNameTheirPlace(@TempDir Path tmp) throws Exception {
    Path file = example(tmp);
    String text = Files.readString(file);
    String at = "sinks.prometheus.web-config: " + file + ": ";
    String[][] cases = {
        {"client_auth_type: RequireAndVerifyClientCert", "client_auth_type: Always",
            "unknown client_auth_type 'Always' (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                + "VerifyClientCertIfGiven, RequireAndVerifyClientCert)"},
        {"key_file: tls/server.key", "key_file: tls/nokey.pem",
            "tls_server_config.key_file " + tmp.resolve("tls/nokey.pem") + ": cannot read it (NoSuchFileException)"},
        {"min_version: TLS12", "min_version: TLS14",
            "tls_server_config.min_version: unknown TLS version 'TLS14' (TLS10, TLS11, TLS12, TLS13)"},
        {"min_version: TLS12", "client_allowed_sans: [a]",
            "tls_server_config.client_allowed_sans: not supported by bpfmap (give files: cert_file, key_file, client_ca_file)"},
        {"min_version: TLS12", "min_verison: TLS12",
            "tls_server_config.min_verison: unknown key (expected one of [cert_file, cipher_suites, client_auth_type, "
                + "client_ca_file, curve_preferences, key_file, max_version, min_version, prefer_server_cipher_suites])"},
        {"  prometheus: $2y$", "  prometheus: plain$2y$",
            "basic_auth_users.prometheus: not a bcrypt hash ($2y$10$ and 53 characters, as htpasswd -nB writes it)"},
        {"  cert_file: tls/server.pem", "  cert_file: tls/server.key", "tls_server_config.cert_file "
            + tmp.resolve("tls/server.key") + ": not a PEM certificate"},
        {"client_ca_file: tls/ca.pem", "client_ca_file: \"\"", "tls_server_config.client_ca_file: empty: give a PEM "
            + "file's path"},
        {"  key_file: tls/server.key", "  key_file: tls/client.key", "tls_server_config.key_file "
            + tmp.resolve("tls/client.key") + ": not the key of the certificate in cert_file " + tmp.resolve("tls/server.pem")}};
    for (String[] c : cases) {
      assertThat(text).contains(c[0]);
      Files.writeString(file, text.replace(c[0], c[1]));
      assertThatThrownBy(() -> WebConfigFile.load(file, "sinks.prometheus.web-config")).as(c[1])
          .hasMessage(at + c[2]);
    }
    Path none = tmp.resolve("none.yml");
    assertThatThrownBy(() -> WebConfigFile.load(none, "sinks.prometheus.web-config"))
        .hasMessageStartingWith("sinks.prometheus.web-config: " + none + ": ");
  }
}
