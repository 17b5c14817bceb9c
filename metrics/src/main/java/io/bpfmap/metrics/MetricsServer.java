package io.bpfmap.metrics;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.bpfmap.core.stream.MapSupervisor;
import io.bpfmap.core.stream.StreamStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text, or OpenMetrics or Prometheus' protobuf format, with native
 * histograms, when the scraper asks for it in Accept) and
 * {@code /health} (per map: last successful cycle, last error, and for a supervised map its state;
 * 503 when a map is not UP: its last error is newer than its last success, or its supervisor is
 * retrying it or gave up) over the JDK's HTTP server. The default port is {@value #DEFAULT_PORT}.
 */
public final class MetricsServer implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static final String PROMETHEUS_PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

  /** Not in the Prometheus exporter range 9100-9999 (full); 9435 is ebpf_exporter's. */
  public static final int DEFAULT_PORT = 10469;

  private final HttpServer server;
  private final PrometheusMeterRegistry registry;
  private final Map<String, Supplier<Health>> maps = new ConcurrentSkipListMap<>();
  private final java.util.concurrent.atomic.AtomicLong openMetricsScrapes = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong protobufScrapes = new java.util.concurrent.atomic.AtomicLong();

  private MetricsServer(HttpServer server, PrometheusMeterRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  /**
   * Listens on {@code address} and serves at once, from two daemon threads of its own; a scrape
   * renders {@code registry} as it is then. Plain HTTP, no authentication.
   *
   * @param address where to listen; port 0 picks a free port (see {@link #port()})
   * @param registry the registry {@code /metrics} serves; the caller keeps owning it
   * @return the running server; close it to stop listening
   * @throws MetricsException when the address cannot be bound: a one-line message such as
   *     {@code listen 0.0.0.0:10469: address already in use}
   */
  public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry) {
    return start(address, registry, WebConfig.NONE);
  }

  /**
   * Listens on {@code address} as {@link #start(InetSocketAddress, PrometheusMeterRegistry)} does,
   * secured as {@code web} says: HTTPS with its certificate (and the client's, when asked for),
   * basic auth on every path, its headers on every response. Its files are read now.
   *
   * @param address where to listen
   * @param registry the registry {@code /metrics} serves
   * @param web TLS, users and headers; {@link WebConfig#NONE} for plain HTTP
   * @return the running server
   * @throws MetricsException when the address cannot be bound, or a file or setting of
   *     {@code web} is wrong: one line naming it ({@code tls_server_config.key_file /etc/k.pem: no
   *     PEM private key in it})
   */
  public static MetricsServer start(InetSocketAddress address, PrometheusMeterRegistry registry, WebConfig web) {
    HttpsConfigurator tls;
    BcryptAuthenticator auth;
    try {
      tls = web.tls() == null ? null : TlsContexts.configurator(web.tls());
      auth = web.basicAuthUsers().isEmpty() ? null : new BcryptAuthenticator(web.basicAuthUsers());
    } catch (IllegalArgumentException e) {
      throw new MetricsException(e.getMessage(), e);
    }
    HttpServer http;
    try {
      if (tls != null) {
        HttpsServer https = HttpsServer.create(address, 16);
        https.setHttpsConfigurator(tls);
        http = https;
      } else {
        http = HttpServer.create(address, 16);
      }
    } catch (BindException e) {
      throw new MetricsException("listen " + address.getHostString() + ":" + address.getPort()
          + ": address already in use", e);
    } catch (IOException e) {
      throw new MetricsException("listen " + address.getHostString() + ":" + address.getPort() + ": "
          + e.getMessage(), e);
    }
    MetricsServer s = new MetricsServer(http, registry);
    for (HttpContext c : List.of(http.createContext("/metrics", s::metrics), http.createContext("/health", s::health),
        http.createContext("/", s::landing))) {
      if (auth != null) {
        c.setAuthenticator(auth);
      }
      if (!web.headers().isEmpty()) {
        c.getFilters().add(Filter.beforeHandler("headers of the web config",
            x -> web.headers().forEach((k, v) -> x.getResponseHeaders().set(k, v))));
      }
    }
    http.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("bpfmap-http-", 0).factory()));
    http.start();
    return s;
  }

  /**
   * Reports this stream's map on {@code /health} (replacing an earlier one of the same name): UP
   * until an error is newer than the last successful cycle.
   *
   * @param stats the stream's statistics, read at each request
   */
  public void watch(StreamStats stats) {
    maps.put(stats.map(), () -> Health.of(stats, null));
  }

  /**
   * Reports a supervised map on {@code /health}: UP while its supervisor is, DOWN with the reason
   * while it retries, failed for good, or stopped.
   *
   * @param supervisor the supervisor, asked for its status at each request; replaces an earlier
   *     map of the same name
   */
  public void watch(MapSupervisor supervisor) {
    maps.put(supervisor.name(), () -> {
      MapSupervisor.Status st = supervisor.status();
      return Health.of(supervisor.stats(), st).at(supervisor.selector().toString());
    });
  }

  /** One map's line on {@code /health}. */
  private record Health(boolean up, String state, long cycles, Instant lastCycle, String lastError,
      Instant lastErrorTime, int mapId, long restarts, String selector, String note) {
    Health at(String where) {
      return new Health(up, state, cycles, lastCycle, lastError, lastErrorTime, mapId, restarts, where, note);
    }

    static Health of(StreamStats s, MapSupervisor.Status st) {
      Instant ok = s == null ? null : s.lastCycleEnd();
      Instant failed = s == null ? null : s.lastErrorTime();
      String error = s == null || s.lastError() == null ? null : String.valueOf(s.lastError().getMessage());
      boolean up = failed == null || (ok != null && ok.isAfter(failed));
      if (st == null) {
        return new Health(up, null, s.cycles(), ok, error, failed, 0, 0, null, null);
      }
      if (st.state() != MapSupervisor.State.UP) {
        return new Health(false, st.state().name().toLowerCase(java.util.Locale.ROOT), s == null ? 0 : s.cycles(),
            ok, st.reason(), st.since(), st.mapId(), st.restarts(), null, null);
      }
      return new Health(up, "up", s == null ? 0 : s.cycles(), ok, error, failed, st.mapId(), st.restarts(), null,
          st.reason());
    }
  }

  /** {@return how many scrapes were answered in OpenMetrics (Prometheus asks for it first)} */
  public long openMetricsScrapes() {
    return openMetricsScrapes.get();
  }

  /** {@return the port the server listens on: the one chosen for port 0} */
  public int port() {
    return server.getAddress().getPort();
  }

  private void metrics(HttpExchange x) throws IOException {
    String accept = x.getRequestHeaders().getFirst("Accept");
    if (accept != null && accept.contains("application/vnd.google.protobuf")) {
      // what Prometheus asks for first when it takes native histograms
      protobufScrapes.incrementAndGet();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      registry.scrape(out, PROMETHEUS_PROTOBUF);
      x.getResponseHeaders().set("Content-Type", PROMETHEUS_PROTOBUF);
      respond(x, 200, out.toByteArray());
      return;
    }
    boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
    String type = openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    if (openMetrics) {
      openMetricsScrapes.incrementAndGet();
    }
    byte[] body = registry.scrape(type).getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    respond(x, 200, body);
  }

  /** {@return how many scrapes were answered in Prometheus' protobuf format (with native histograms)} */
  public long protobufScrapes() {
    return protobufScrapes.get();
  }

  /** {@code /}: a page that links to the others, as every Prometheus exporter has; 404 elsewhere. */
  private void landing(HttpExchange x) throws IOException {
    if (!x.getRequestURI().getPath().equals("/")) {
      x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      respond(x, 404, ("not found: " + x.getRequestURI().getPath() + " (try /metrics or /health)\n")
          .getBytes(StandardCharsets.UTF_8));
      return;
    }
    String page = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>bpfmap</title></head>
        <body><h1>bpfmap</h1><p>eBPF maps as metrics.</p>
        <ul><li><a href="metrics">/metrics</a>: Prometheus text, or OpenMetrics on request</li>
        <li><a href="health">/health</a>: each map's state, as JSON</li></ul></body></html>
        """;
    x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    respond(x, 200, page.getBytes(StandardCharsets.UTF_8));
  }

  private void health(HttpExchange x) throws IOException {
    StringBuilder json = new StringBuilder("{\"maps\":{");
    boolean healthy = true;
    int i = 0;
    for (Map.Entry<String, Supplier<Health>> m : maps.entrySet()) {
      Health h = m.getValue().get();
      healthy &= h.up();
      json.append(i++ == 0 ? "" : ",").append(quote(m.getKey())).append(":{\"status\":\"")
          .append(h.up() ? "UP" : "DOWN").append('"');
      if (h.state() != null) {
        json.append(",\"state\":").append(quote(h.state())).append(",\"selector\":").append(quote(h.selector()))
            .append(",\"mapId\":").append(h.mapId()).append(",\"restarts\":").append(h.restarts());
        if (h.note() != null) {
          json.append(",\"note\":").append(quote(h.note()));
        }
      }
      json.append(",\"cycles\":").append(h.cycles())
          .append(",\"lastCycle\":").append(h.lastCycle() == null ? "null" : quote(h.lastCycle().toString()))
          .append(",\"lastError\":").append(h.lastError() == null ? "null" : quote(h.lastError()))
          .append(",\"lastErrorTime\":").append(h.lastErrorTime() == null ? "null" : quote(h.lastErrorTime().toString()))
          .append('}');
    }
    json.append("},\"status\":\"").append(healthy ? "UP" : "DOWN").append("\"}");
    x.getResponseHeaders().set("Content-Type", "application/json");
    respond(x, healthy ? 200 : 503, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange x, int status, byte[] body) throws IOException {
    x.sendResponseHeaders(status, body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  @Override
  public void close() {
    server.stop(0);
    if (server.getExecutor() instanceof java.util.concurrent.ExecutorService e) {
      e.shutdownNow();
    }
  }

  /** The endpoint could not start. */
  public static final class MetricsException extends io.bpfmap.core.BpfException {
    private static final long serialVersionUID = 1L;

    MetricsException(String message, Throwable cause) {
      super(message, "metrics", cause);
    }
  }

}
