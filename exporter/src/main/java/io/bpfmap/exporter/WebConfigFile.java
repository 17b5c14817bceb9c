package io.bpfmap.exporter;

import io.bpfmap.metrics.WebConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Prometheus exporter toolkit's {@code web.config} file, the one every official exporter takes
 * with {@code --web.config.file}: {@code tls_server_config}, {@code http_server_config} and
 * {@code basic_auth_users}, with its keys and meanings. Relative file paths are relative to the
 * file's directory, as the toolkit takes them. Settings the JDK's server cannot honour are refused
 * by name rather than ignored.
 */
final class WebConfigFile {
  private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
      "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites", "curve_preferences");
  private static final Set<String> UNSUPPORTED = Set.of("cert", "key", "client_ca", "client_allowed_sans");

  private WebConfigFile() {}

  /**
   * Reads and checks {@code file} (its certificates and keys too); an error starts with
   * {@code at} and the file ({@code sinks.prometheus.web-config: /etc/bpfmap/web.yml: …}).
   */
  static WebConfig load(Path file, String at) {
    String where = at + ": " + file;
    Object tree;
    try {
      tree = Inputs.yaml().readValue(Files.readString(file), Object.class);
    } catch (IOException e) {
      throw new CliException(where + ": " + (e instanceof com.fasterxml.jackson.core.JacksonException
          ? Inputs.parseError(e) : Inputs.why(e)), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      WebConfig web = parse(tree == null ? Map.of() : YamlValues.object(tree, ""), dir);
      web.check();
      return web;
    } catch (IllegalArgumentException e) {
      throw new CliException(where + ": " + e.getMessage(), e);
    } catch (CliException e) {
      throw new CliException(where + ": " + e.getMessage(), e);
    }
  }

  static WebConfig parse(Map<String, Object> m, Path dir) {
    YamlValues.keys(m, "", Set.of("tls_server_config", "http_server_config", "basic_auth_users"));
    WebConfig.Tls tls = m.get("tls_server_config") == null ? null
        : tls(YamlValues.object(m.get("tls_server_config"), "tls_server_config"), dir);
    Map<String, String> headers = new LinkedHashMap<>();
    if (m.get("http_server_config") != null) {
      Map<String, Object> http = YamlValues.object(m.get("http_server_config"), "http_server_config");
      YamlValues.keys(http, "http_server_config", Set.of("http2", "headers"));
      if (http.containsKey("http2")) {
        // the JDK's server speaks HTTP/1.1 only, which every scraper speaks too: http2 changes nothing
        YamlValues.bool(http.get("http2"), "http_server_config.http2");
      }
      if (http.get("headers") != null) {
        YamlValues.object(http.get("headers"), "http_server_config.headers")
            .forEach((k, v) -> headers.put(k, YamlValues.string(v, "http_server_config.headers." + k)));
      }
    }
    Map<String, String> users = new LinkedHashMap<>();
    if (m.get("basic_auth_users") != null) {
      YamlValues.object(m.get("basic_auth_users"), "basic_auth_users")
          .forEach((u, h) -> users.put(u, YamlValues.string(h, "basic_auth_users." + u)));
    }
    return new WebConfig(tls, users, headers);
  }

  private static WebConfig.Tls tls(Map<String, Object> t, Path dir) {
    for (String k : t.keySet()) {
      if (UNSUPPORTED.contains(k)) {
        throw new CliException("tls_server_config." + k + ": not supported by bpfmap (give files: cert_file, key_file, "
            + "client_ca_file)");
      }
    }
    YamlValues.keys(t, "tls_server_config", TLS_KEYS);
    Path cert = file(YamlValues.required(t, "cert_file", "tls_server_config"), "tls_server_config.cert_file", dir);
    Path key = file(YamlValues.required(t, "key_file", "tls_server_config"), "tls_server_config.key_file", dir);
    WebConfig.ClientAuth auth = WebConfig.ClientAuth.of(YamlValues.string(t.getOrDefault("client_auth_type",
        "NoClientCert"), "tls_server_config.client_auth_type"));
    Path ca = t.get("client_ca_file") == null ? null
        : file(t.get("client_ca_file"), "tls_server_config.client_ca_file", dir);
    boolean prefer = !t.containsKey("prefer_server_cipher_suites")
        || YamlValues.bool(t.get("prefer_server_cipher_suites"), "tls_server_config.prefer_server_cipher_suites");
    return new WebConfig.Tls(cert, key, auth, ca,
        YamlValues.string(t.getOrDefault("min_version", "TLS12"), "tls_server_config.min_version"),
        YamlValues.string(t.getOrDefault("max_version", "TLS13"), "tls_server_config.max_version"),
        strings(t.get("cipher_suites"), "tls_server_config.cipher_suites"),
        strings(t.get("curve_preferences"), "tls_server_config.curve_preferences"), prefer);
  }

  private static Path file(Object v, String at, Path dir) {
    String name = YamlValues.string(v, at);
    if (name.isBlank()) {
      throw new CliException(at + ": empty: give a PEM file's path");
    }
    return dir.resolve(name);
  }

  private static List<String> strings(Object v, String at) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw new CliException(at + ": expected a list of names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(YamlValues.string(list.get(i), at + "[" + i + "]"));
    }
    return out;
  }
}
