package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The fleet table over HTTP, as JSON:
 * <ul>
 *   <li>{@code /fleet/nodes}: every node, live or silent, with its last heartbeat;
 *   <li>{@code /fleet/maps/MAP[?node=N]}: the live nodes' records of a map;
 *   <li>{@code /fleet/maps/MAP/entry?node=N&key=JSON[&cpu=C]}: one record, from the instance that
 *       holds it (404 when there is none);
 *   <li>{@code /fleet/aggregates} and {@code /fleet/aggregates/NAME}: the aggregates, and one's
 *       groups;
 *   <li>{@code /metrics}: nodes, aggregates and Kafka Streams' own metrics for Prometheus;
 *   <li>{@code /health}: 200 while Kafka Streams runs, 503 with its state otherwise;
 *   <li>{@code /fleet/local/…}: this instance's share, which the other instances ask for.
 * </ul>
 * Errors are {@code {"error": "one line"}}: 400 for a bad query, 404 for what does not exist, 503
 * while the table cannot answer.
 */
final class FleetHttp implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private KafkaStreamsMetrics streamsMetrics;

  private FleetHttp(HttpServer server) {
    this.server = server;
  }

  static FleetHttp bind(InetSocketAddress address) {
    try {
      return new FleetHttp(HttpServer.create(address, 64));
    } catch (BindException e) {
      throw new FleetException("cannot listen on " + address + ": the port is taken", e);
    } catch (IOException e) {
      throw new FleetException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  void serve(FleetQueries q, FleetTable table) {
    streamsMetrics = new KafkaStreamsMetrics(table.streams());
    streamsMetrics.bindTo(registry);
    server.setExecutor(executor);
    server.createContext("/fleet/", ex -> handle(ex, () -> fleet(ex, q)));
    server.createContext("/metrics", ex -> handle(ex, () -> new Answer(200, "text/plain; version=0.0.4; charset=utf-8",
        (FleetMetricsText.render(q, table.skippedRecords()) + registry.scrape()).getBytes(StandardCharsets.UTF_8))));
    server.createContext("/health", ex -> handle(ex, () -> {
      var state = table.state();
      return json(state == org.apache.kafka.streams.KafkaStreams.State.RUNNING ? 200 : 503,
          Sums.JSON.createObjectNode().put("state", state.name()));
    }));
    server.start();
  }

  private record Answer(int status, String type, byte[] body) {}

  private interface Handler {
    Answer answer() throws IOException;
  }

  private static void handle(HttpExchange ex, Handler h) throws IOException {
    Answer a;
    try {
      a = h.answer();
    } catch (BadQuery e) {
      a = error(e.status, e.getMessage());
    } catch (FleetException | InvalidStateStoreException | FleetQueries.Unavailable e) {
      a = error(503, e.getMessage());
    } catch (RuntimeException e) {
      a = error(500, e.toString());
    }
    ex.getResponseHeaders().set("Content-Type", a.type());
    ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  private static Answer error(int status, String message) {
    return json(status, Sums.JSON.createObjectNode().put("error", message.replace('\n', ' ')));
  }

  private static Answer json(int status, JsonNode body) {
    return new Answer(status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static Answer fleet(HttpExchange ex, FleetQueries q) {
    String path = ex.getRequestURI().getRawPath();
    Map<String, String> params = params(ex.getRequestURI().getRawQuery());
    String[] parts = path.substring("/fleet/".length()).split("/");
    for (int i = 0; i < parts.length; i++) {
      parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
    }
    switch (parts[0]) {
      case "nodes" -> {
        ArrayNode out = Sums.JSON.createArrayNode();
        for (FleetNode n : q.nodes()) {
          out.addObject().put("node", n.node()).put("live", n.live())
              .put("last_heartbeat", n.lastHeartbeat().toEpochMilli()).set("maps", n.maps());
        }
        return json(200, out);
      }
      case "maps" -> {
        if (parts.length == 2) {
          ArrayNode out = Sums.JSON.createArrayNode();
          q.entries(parts[1], params.get("node")).forEach(out::add);
          return json(200, out);
        }
        if (parts.length == 3 && parts[2].equals("entry")) {
          String node = required(params, "node");
          JsonNode key = keyParam(required(params, "key"));
          return q.entry(parts[1], node, key, cpu(params)).map(r -> json(200, r)).orElseGet(() ->
              error(404, "no record of key " + key + " of node '" + node + "' in map '" + parts[1] + "' (or the node is "
                  + "not live; a key's fields go in layout order, and a per-CPU record needs cpu=)"));
        }
      }
      case "aggregates" -> {
        if (parts.length == 1) {
          ObjectNode out = Sums.JSON.createObjectNode();
          q.aggregates().values().forEach(a -> out.set(a.name(), Sums.JSON.valueToTree(a)));
          return json(200, out);
        }
        if (!q.aggregates().containsKey(parts[1])) {
          throw new BadQuery(404, "no aggregate '" + parts[1] + "' (there are " + q.aggregates().keySet() + ")");
        }
        return json(200, FleetQueries.json(q.aggregate(parts[1])));
      }
      case "local" -> {
        return local(parts, params, q);
      }
      default -> { }
    }
    throw new BadQuery(404, "no such path: " + path);
  }

  /** This instance's share, for the instance that gathers. */
  private static Answer local(String[] parts, Map<String, String> params, FleetQueries q) {
    if (parts.length == 2 && parts[1].equals("entries")) {
      return json(200, q.local().entries(required(params, "map"), params.get("node")));
    }
    if (parts.length == 3 && parts[1].equals("aggregates")) {
      return json(200, q.local().aggregate(parts[2]));
    }
    if (parts.length == 2 && parts[1].equals("entry")) {
      byte[] key = LocalStores.key(required(params, "node"), required(params, "map"), cpu(params),
          keyParam(required(params, "key")));
      int partition;
      try {
        partition = Integer.parseInt(required(params, "partition"));
      } catch (NumberFormatException e) {
        throw new BadQuery(400, "partition: '" + params.get("partition") + "' is not a partition number");
      }
      ObjectNode out = Sums.JSON.createObjectNode();
      out.putArray("partitions").add(partition);
      out.set("record", q.local().entry(key, partition));
      return json(200, out);
    }
    throw new BadQuery(404, "no such path: /fleet/" + String.join("/", parts));
  }

  private static Integer cpu(Map<String, String> params) {
    String c = params.get("cpu");
    if (c == null) {
      return null;
    }
    try {
      return Integer.parseInt(c);
    } catch (NumberFormatException e) {
      throw new BadQuery(400, "cpu: '" + c + "' is not a CPU number");
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = new com.fasterxml.jackson.databind
      .ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static JsonNode keyParam(String text) {
    JsonNode key;
    try {
      key = text.isBlank() ? null : STRICT.readTree(text);
    } catch (IOException e) {
      key = null;
    }
    if (key == null) {
      throw new BadQuery(400, "key: '" + text + "' is not JSON (give the key as the records carry it, e.g. "
          + "{\"dport\":443})");
    }
    return key;
  }

  private static String required(Map<String, String> params, String name) {
    String v = params.get(name);
    if (v == null) {
      throw new BadQuery(400, name + ": required");
    }
    return v;
  }

  static Map<String, String> params(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
        // a query's + is a plus: keys are JSON, which clients send percent-encoded
        out.put(k, eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** A query the fleet cannot answer as asked: its status and one line. */
  private static final class BadQuery extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    BadQuery(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    registry.close();
  }
}
