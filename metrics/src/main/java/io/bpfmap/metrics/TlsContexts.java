package io.bpfmap.metrics;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** The server side of {@link WebConfig.Tls}: keys and certificates from PEM files, and the handshake's parameters. */
final class TlsContexts {
  private static final List<String> VERSIONS = List.of("TLS10", "TLS11", "TLS12", "TLS13");
  private static final Map<String, String> CURVES = Map.of("CurveP256", "secp256r1", "CurveP384", "secp384r1",
      "CurveP521", "secp521r1", "X25519", "x25519");
  private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");

  private TlsContexts() {}

  /**
   * The configurator of an HTTPS server with these settings; every file is read now.
   *
   * @throws IllegalArgumentException naming the file or setting that is wrong, in one line
   */
  static HttpsConfigurator configurator(WebConfig.Tls tls) {
    SSLContext context;
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<X509Certificate> chain = certificates(tls.certFile(), "cert_file");
      PrivateKey key = privateKey(tls.keyFile());
      if (!matches(key, chain.getFirst())) {
        throw new IllegalArgumentException("tls_server_config.key_file " + tls.keyFile() + ": not the key of the "
            + "certificate in cert_file " + tls.certFile());
      }
      keys.setKeyEntry("server", key, new char[0], chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), trust(tls), new SecureRandom());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("tls_server_config: " + e.getMessage(), e);
    }
    SSLParameters params = parameters(context, tls);
    return new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters p) {
        p.setSSLParameters(params);
      }
    };
  }

  private static SSLParameters parameters(SSLContext context, WebConfig.Tls tls) {
    SSLParameters p = context.getDefaultSSLParameters();
    int min = version(tls.minVersion(), "min_version");
    int max = version(tls.maxVersion(), "max_version");
    if (min > max) {
      throw new IllegalArgumentException("tls_server_config: min_version " + tls.minVersion() + " is above max_version "
          + tls.maxVersion());
    }
    List<String> protocols = new ArrayList<>();
    for (int v = min; v <= max; v++) {
      protocols.add("TLSv1." + v);
    }
    p.setProtocols(protocols.toArray(String[]::new));
    if (!tls.cipherSuites().isEmpty()) {
      List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
      List<String> suites = new ArrayList<>(tls.cipherSuites());
      for (String s : suites) {
        if (!supported.contains(s)) {
          throw new IllegalArgumentException("tls_server_config.cipher_suites: '" + s + "' is not a suite this JDK has");
        }
      }
      suites.addAll(TLS13_SUITES);
      p.setCipherSuites(suites.toArray(String[]::new));
    }
    if (!tls.curves().isEmpty()) {
      p.setNamedGroups(tls.curves().stream().map(c -> {
        String group = CURVES.get(c);
        if (group == null) {
          throw new IllegalArgumentException("tls_server_config.curve_preferences: unknown curve '" + c
              + "' (CurveP256, CurveP384, CurveP521, X25519)");
        }
        return group;
      }).toArray(String[]::new));
    }
    p.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
    switch (tls.clientAuth()) {
      case NO_CLIENT_CERT -> { }
      case REQUEST_CLIENT_CERT, VERIFY_CLIENT_CERT_IF_GIVEN -> p.setWantClientAuth(true);
      case REQUIRE_ANY_CLIENT_CERT, REQUIRE_AND_VERIFY_CLIENT_CERT -> p.setNeedClientAuth(true);
    }
    return p;
  }

  /** {@code TLS12} → 2 (the minor version of TLSv1.x). */
  private static int version(String v, String key) {
    int i = VERSIONS.indexOf(v);
    if (i < 0) {
      throw new IllegalArgumentException("tls_server_config." + key + ": unknown TLS version '" + v
          + "' (TLS10, TLS11, TLS12, TLS13)");
    }
    return i;
  }

  /** Client certificates checked against the client CAs, or taken as they come when the setting does not verify. */
  private static TrustManager[] trust(WebConfig.Tls tls) throws GeneralSecurityException, IOException {
    if (!tls.clientAuth().verifies()) {
      return tls.clientAuth() == WebConfig.ClientAuth.NO_CLIENT_CERT ? null : new TrustManager[] {new AnyClient()};
    }
    if (tls.clientCaFile() == null) {
      throw new IllegalArgumentException("tls_server_config.client_ca_file: required with client_auth_type "
          + tls.clientAuth().configName());
    }
    KeyStore cas = KeyStore.getInstance("PKCS12");
    cas.load(null, null);
    int i = 0;
    for (X509Certificate c : certificates(tls.clientCaFile(), "client_ca_file")) {
      cas.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(cas);
    return tmf.getTrustManagers();
  }

  private static List<X509Certificate> certificates(Path file, String key) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": no PEM certificate in it");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": cannot read it ("
          + e.getClass().getSimpleName() + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("tls_server_config." + key + " " + file + ": not a PEM certificate", e);
    }
  }

  /** Whether {@code key} signs what the certificate's public key verifies (a key of another pair does not). */
  private static boolean matches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true;  // a kind this check does not know: the handshake will tell
    }
    byte[] probe = "bpfmap".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.security.Signature sign = java.security.Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(probe);
    byte[] signature = sign.sign();
    java.security.Signature verify = java.security.Signature.getInstance(algorithm);
    try {
      verify.initVerify(cert.getPublicKey());
    } catch (java.security.InvalidKeyException otherKind) {
      return false;
    }
    verify.update(probe);
    return verify.verify(signature);
  }

  private static PrivateKey privateKey(Path file) {
    try (Reader r = Files.newBufferedReader(file); PEMParser pem = new PEMParser(r)) {
      Object o = pem.readObject();
      JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
      return switch (o) {
        case PEMKeyPair pair -> convert.getPrivateKey(pair.getPrivateKeyInfo());
        case PrivateKeyInfo info -> convert.getPrivateKey(info);
        case null -> throw new IllegalArgumentException("tls_server_config.key_file " + file + ": no PEM private key in it");
        default -> throw new IllegalArgumentException("tls_server_config.key_file " + file + ": a "
            + o.getClass().getSimpleName() + ", not an unencrypted private key (PKCS#8, PKCS#1 or SEC1)");
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("tls_server_config.key_file " + file + ": cannot read it ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }

  /** RequestClientCert and RequireAnyClientCert: a client certificate is asked for, never verified. */
  private static final class AnyClient implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // taken as it comes: the setting asks for a certificate without verifying it
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("the metrics server trusts no server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
