package io.bpfmap.metrics;

import com.sun.net.httpserver.BasicAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Basic auth against bcrypt hashes, as the exporter toolkit checks {@code basic_auth_users}. A
 * bcrypt check takes tens of milliseconds by design; a scrape every few seconds would pay it each
 * time, so a user's last accepted password is remembered by its SHA-256 (one entry per user).
 */
final class BcryptAuthenticator extends BasicAuthenticator {
  private final Map<String, String> hashes;
  private final Map<String, byte[]> accepted = new ConcurrentHashMap<>();

  BcryptAuthenticator(Map<String, String> hashes) {
    super("bpfmap", StandardCharsets.UTF_8);
    for (Map.Entry<String, String> e : hashes.entrySet()) {
      if (!e.getValue().matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
        throw new IllegalArgumentException("basic_auth_users." + e.getKey() + ": not a bcrypt hash ($2y$10$ and 53 "
            + "characters, as htpasswd -nB writes it)");
      }
    }
    this.hashes = Map.copyOf(hashes);
  }

  @Override
  public boolean checkCredentials(String user, String password) {
    String hash = hashes.get(user);
    if (hash == null) {
      return false;
    }
    byte[] digest = sha256(user + '\0' + password + '\0' + hash);
    byte[] known = accepted.get(user);
    if (known != null && MessageDigest.isEqual(known, digest)) {
      return true;
    }
    boolean ok;
    try {
      ok = OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException badPassword) {
      ok = false;  // longer than bcrypt's 72 bytes, say
    }
    if (ok) {
      accepted.put(user, digest);
    }
    return ok;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
