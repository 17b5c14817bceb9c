package io.bpfmap.metrics;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How {@link MetricsServer} is secured, with the settings of the Prometheus exporter toolkit's
 * {@code web.config} file (the exporter reads that file into this): TLS with an optional client
 * certificate, basic auth against bcrypt hashes, and headers on every response. Every path
 * ({@code /metrics}, {@code /health}, {@code /}) is behind the same rules.
 *
 * @param tls TLS settings, or null for plain HTTP
 * @param basicAuthUsers user name to bcrypt hash ({@code $2y$…}); empty for no basic auth
 * @param headers headers added to every response (e.g. {@code Strict-Transport-Security})
 */
public record WebConfig(Tls tls, Map<String, String> basicAuthUsers, Map<String, String> headers) {
  /** Plain HTTP, no authentication. */
  public static final WebConfig NONE = new WebConfig(null, Map.of(), Map.of());

  /** Copies the maps. */
  public WebConfig {
    basicAuthUsers = Map.copyOf(basicAuthUsers);
    headers = Map.copyOf(headers);
  }

  /**
   * Reads the files and checks the settings as {@link MetricsServer#start(java.net.InetSocketAddress,
   * io.micrometer.prometheusmetrics.PrometheusMeterRegistry, WebConfig)} does, without listening.
   *
   * @throws IllegalArgumentException naming the file or setting that is wrong, in one line
   */
  public void check() {
    if (tls != null) {
      TlsContexts.configurator(tls);
    }
    if (!basicAuthUsers.isEmpty()) {
      new BcryptAuthenticator(basicAuthUsers);
    }
  }

  /**
   * TLS as {@code tls_server_config} says it.
   *
   * @param certFile the server's certificate (PEM; a chain may follow it)
   * @param keyFile its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC; not encrypted)
   * @param clientAuth whether a client certificate is asked for and verified
   * @param clientCaFile the CAs client certificates must chain to (PEM), or null
   * @param minVersion the lowest TLS version, {@code TLS10} to {@code TLS13}
   * @param maxVersion the highest
   * @param cipherSuites the TLS 1.2 suites allowed by their IANA names, or empty for the JDK's
   *     (TLS 1.3 suites are not configurable, as in Go)
   * @param curves the key exchange groups in order ({@code X25519}, {@code CurveP256}…), or empty
   * @param preferServerCipherSuites the server's order of suites wins over the client's
   */
  public record Tls(Path certFile, Path keyFile, ClientAuth clientAuth, Path clientCaFile, String minVersion,
      String maxVersion, List<String> cipherSuites, List<String> curves, boolean preferServerCipherSuites) {
    /** Copies the lists. */
    public Tls {
      cipherSuites = List.copyOf(cipherSuites);
      curves = List.copyOf(curves);
    }
  }

  /** {@code client_auth_type}: the exporter toolkit's (Go's) names. */
  public enum ClientAuth {
    /** No certificate asked for. */
    NO_CLIENT_CERT("NoClientCert"),
    /** Asked for, not required, not verified. */
    REQUEST_CLIENT_CERT("RequestClientCert"),
    /** Required, not verified. */
    REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert"),
    /** Verified against the client CAs when given. */
    VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven"),
    /** Required and verified against the client CAs. */
    REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert");

    private final String configName;

    ClientAuth(String configName) {
      this.configName = configName;
    }

    /** {@return the name in a web.config file} */
    public String configName() {
      return configName;
    }

    /** {@return true when a certificate given is verified against the client CAs} */
    public boolean verifies() {
      return this == VERIFY_CLIENT_CERT_IF_GIVEN || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
    }

    /**
     * The setting a web.config names.
     *
     * @param name e.g. {@code RequireAndVerifyClientCert}
     * @return the setting
     * @throws IllegalArgumentException for another name, listing the names
     */
    public static ClientAuth of(String name) {
      for (ClientAuth a : values()) {
        if (a.configName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
          return a;
        }
      }
      throw new IllegalArgumentException("unknown client_auth_type '" + name + "' (NoClientCert, RequestClientCert, "
          + "RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
    }
  }
}
