package io.bpfmap.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the sink authenticates to a secured cluster: TLS (the cluster's CA, and for mTLS the
 * client's certificate and key, all PEM files), SASL (PLAIN or SCRAM, over TLS or not), or both.
 * {@link #properties()} turns them into the producer's (and admin client's) {@code security.},
 * {@code ssl.} and {@code sasl.} settings; settings given as producer properties win over them.
 *
 * @param tls TLS settings, or null for a plaintext connection
 * @param sasl SASL credentials, or null for none
 */
public record KafkaSecurity(Tls tls, Sasl sasl) {
  /** The SASL mechanisms a sink can use. */
  public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

  /**
   * TLS to the brokers.
   *
   * @param caFile the CA certificates that signed the brokers' certificates (PEM)
   * @param certFile the client's certificate chain for mTLS (PEM), or null
   * @param keyFile the client's private key for mTLS: unencrypted PKCS#8 PEM
   *     ({@code BEGIN PRIVATE KEY}, what Kafka reads), or null
   */
  public record Tls(Path caFile, Path certFile, Path keyFile) {
    /** Checks that certificate and key come together. */
    public Tls {
      if ((certFile == null) != (keyFile == null)) {
        throw new KafkaSinkException("a client certificate (mTLS) needs both its cert-file and its key-file", null);
      }
    }
  }

  /**
   * SASL credentials; the password never appears in {@link #toString()}.
   *
   * @param mechanism {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
   * @param username the user
   * @param password the password
   */
  public record Sasl(String mechanism, String username, String password) {
    /** Checks the mechanism. */
    public Sasl {
      if (!MECHANISMS.contains(mechanism)) {
        throw new KafkaSinkException("unknown SASL mechanism '" + mechanism + "' (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)",
            null);
      }
    }

    @Override
    public String toString() {
      return "Sasl[mechanism=" + mechanism + ", username=" + username + ", password=(hidden)]";
    }
  }

  /**
   * The client settings: {@code security.protocol} ({@code SSL}, {@code SASL_PLAINTEXT} or
   * {@code SASL_SSL}), the PEM trust and key stores inline, and the JAAS login of the mechanism.
   * The files are read now.
   *
   * @return the settings, in the order Kafka documents them
   * @throws KafkaSinkException naming a file that cannot be read or is not PEM of the right kind
   */
  public Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    if (tls == null && sasl == null) {
      return p;
    }
    p.put("security.protocol", sasl == null ? "SSL" : tls == null ? "SASL_PLAINTEXT" : "SASL_SSL");
    if (tls != null) {
      p.put("ssl.truststore.type", "PEM");
      p.put("ssl.truststore.certificates", pem(tls.caFile(), "ca-file", "CERTIFICATE"));
      if (tls.certFile() != null) {
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.certificate.chain", pem(tls.certFile(), "cert-file", "CERTIFICATE"));
        p.put("ssl.keystore.key", pem(tls.keyFile(), "key-file", "PRIVATE KEY"));
      }
    }
    if (sasl != null) {
      p.put("sasl.mechanism", sasl.mechanism());
      String module = sasl.mechanism().equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put("sasl.jaas.config", module + " required username=\"" + jaas(sasl.username()) + "\" password=\""
          + jaas(sasl.password()) + "\";");
    }
    return p;
  }

  /** A JAAS option value between double quotes: backslashes and quotes escaped. */
  private static String jaas(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** The PEM text of {@code file}, which must hold a block {@code -----BEGIN <kind>-----}. */
  private static String pem(Path file, String key, String kind) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new KafkaSinkException(key + " " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
    }
    if (!text.contains("-----BEGIN " + kind + "-----")) {
      String hint = kind.equals("PRIVATE KEY") && text.contains("PRIVATE KEY-----")
          ? ": Kafka reads unencrypted PKCS#8 keys (BEGIN PRIVATE KEY); convert it with "
              + "openssl pkcs8 -topk8 -nocrypt -in " + file
          : ": no PEM " + kind.toLowerCase(java.util.Locale.ROOT) + " in it";
      throw new KafkaSinkException(key + " " + file + hint, null);
    }
    return text.strip();
  }
}
