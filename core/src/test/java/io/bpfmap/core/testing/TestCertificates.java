package io.bpfmap.core.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA, a server certificate for 127.0.0.1 and localhost, and client certificates, made by the
 * openssl command in a test's directory: {@code ca.pem}; {@code server.pem} with its key
 * {@code server.key} (PKCS#8 EC) and the same key as {@code server-sec1.key} (SEC1, as
 * {@code openssl ec} writes it); {@code client.pem} with {@code client.key} (PKCS#8 RSA); and
 * {@code stranger.pem}/{@code stranger.key}, a client certificate of another CA,
 * {@code other-ca.pem}.
 *
 * @param dir where the files are
 */
public record TestCertificates(Path dir) {
  /**
   * Makes the files in {@code dir}.
   *
   * @param dir an empty directory
   * @return the certificates
   */
  public static TestCertificates make(Path dir) throws Exception {
    TestCertificates c = new TestCertificates(dir);
    c.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=bpfmap test CA");
    c.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "server.key");
    c.run("openssl", "ec", "-in", "server.key", "-out", "server-sec1.key");
    c.run("openssl", "req", "-new", "-key", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    c.run("sh", "-c", "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext");
    c.run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    c.client("client", "ca");
    c.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem",
        "-days", "2", "-subj", "/CN=another CA");
    c.client("stranger", "other-ca");
    return c;
  }

  /** A client's key and certificate as a PKCS#12 store, password {@code x}, for Java's HTTP client. */
  public Path pkcs12(String name) throws Exception {
    run("openssl", "pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".p12",
        "-passout", "pass:x");
    return file(name + ".p12");
  }

  private void client(String name, String ca) throws Exception {
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key");
    run("openssl", "req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
    run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
        "-out", name + ".pem", "-days", "2");
  }

  /** {@return one of the files} @param name its name, e.g. {@code ca.pem} */
  public Path file(String name) {
    return dir.resolve(name);
  }

  private void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
