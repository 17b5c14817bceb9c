package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;

/**
 * The fleet-wide answers: each gathers this instance's share and asks the other instances for
 * theirs over HTTP, checks that every partition of the store answered exactly once (else the
 * table is rebalancing: it asks again, for up to {@link #PATIENCE}), then keeps the live nodes.
 */
final class FleetQueries implements AutoCloseable {
  static final Duration PATIENCE = Duration.ofSeconds(10);
  /** A scrape's: one look, so that /metrics answers within Prometheus' timeout during a rebalance. */
  static final Duration SCRAPE_PATIENCE = Duration.ofMillis(300);

  private final KafkaStreams streams;
  private final LocalStores local;
  private final HostInfo self;
  private final boolean heartbeats;
  private final Duration expiry;
  private final Map<String, FleetAggregate> aggregates;
  private final HttpClient client;
  private final Duration patience;

  FleetQueries(KafkaStreams streams, LocalStores local, HostInfo self, Duration expiry,
      Map<String, FleetAggregate> aggregates, boolean heartbeats) {
    this(streams, local, self, expiry, aggregates, heartbeats,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), PATIENCE);
  }

  private FleetQueries(KafkaStreams streams, LocalStores local, HostInfo self, Duration expiry,
      Map<String, FleetAggregate> aggregates, boolean heartbeats, HttpClient client, Duration patience) {
    this.client = client;
    this.patience = patience;
    this.streams = streams;
    this.local = local;
    this.self = self;
    this.heartbeats = heartbeats;
    this.expiry = expiry;
    this.aggregates = aggregates;
  }

  /** The same queries, waiting at most {@code wait} for a rebalance (sharing this one's HTTP client). */
  FleetQueries waitingAtMost(Duration wait) {
    return new FleetQueries(streams, local, self, expiry, aggregates, heartbeats, client, wait);
  }

  LocalStores local() {
    return local;
  }

  Map<String, FleetAggregate> aggregates() {
    return aggregates;
  }

  /** The nodes as last read, and when: queries in a burst share one read of the heartbeats. */
  private record Nodes(long readAt, List<FleetNode> nodes) {}

  /** How long a read of the heartbeats serves queries: a small part of any sensible expiry. */
  private static final long NODES_FRESH_NANOS = 100_000_000L;
  private volatile Nodes lastNodes;

  /** Every node of the heartbeat topic (a global table: each instance holds all of it). */
  List<FleetNode> nodes() {
    Nodes last = lastNodes;
    if (last != null && System.nanoTime() - last.readAt() < NODES_FRESH_NANOS) {
      return last.nodes();
    }
    long readAt = System.nanoTime();
    List<FleetNode> read = readNodes();
    lastNodes = new Nodes(readAt, read);
    return read;
  }

  private List<FleetNode> readNodes() {
    if (!heartbeats) {
      return List.of();
    }
    return retry(() -> {
      List<FleetNode> out = new ArrayList<>();
      long now = System.currentTimeMillis();
      var store = streams.store(StoreQueryParameters.fromNameAndType(FleetTopology.NODES,
          QueryableStoreTypes.<Bytes, Object>keyValueStore()));
      try (KeyValueIterator<Bytes, Object> it = store.all()) {
        while (it.hasNext()) {
          JsonNode hb = FleetTopology.read(LocalStores.bytes(it.next().value));
          if (hb == null || FleetTopology.text(hb, "node") == null || !hb.path("timestamp").canConvertToLong()) {
            continue;
          }
          long at = hb.path("timestamp").asLong();
          boolean live = expiry.isZero() || now - at <= expiry.toMillis();
          out.add(new FleetNode(FleetTopology.text(hb, "node"), live, Instant.ofEpochMilli(at), hb.path("maps")));
        }
      }
      out.sort(Comparator.comparing(FleetNode::node));
      return List.copyOf(out);
    });
  }

  /** The nodes that count: live ones, or null when every node counts (no expiry). */
  private Set<String> live() {
    if (expiry.isZero()) {
      return null;
    }
    Set<String> out = new HashSet<>();
    nodes().stream().filter(FleetNode::live).forEach(n -> out.add(n.node()));
    return out;
  }

  private static boolean counts(Set<String> live, String node) {
    return live == null || live.contains(node);
  }

  List<JsonNode> entries(String map, String node) {
    Set<String> live = live();
    if (node != null && !counts(live, node)) {
      return List.of();
    }
    String query = "map=" + enc(map) + (node == null ? "" : "&node=" + enc(node));
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : gather(FleetTopology.ENTRIES, () -> local.entries(map, node), "/fleet/local/entries?" + query)) {
      if (counts(live, FleetTopology.text(r, "node"))) {
        out.add(r);
      }
    }
    return out;
  }

  Optional<JsonNode> entry(String map, String node, JsonNode key, Integer cpu) {
    Set<String> live = live();
    if (!counts(live, node)) {
      return Optional.empty();
    }
    byte[] k = LocalStores.key(node, map, cpu, key);
    return Optional.ofNullable(retry(() -> {
      KeyQueryMetadata md = streams.queryMetadataForKey(FleetTopology.ENTRIES, Bytes.wrap(k), Serdes.Bytes().serializer());
      if (md == null || md.activeHost() == null || md.activeHost().port() < 0) {
        throw new InvalidStateStoreException("no instance holds the key's partition yet");
      }
      String host = address(md.activeHost());
      if (md.activeHost().equals(self)) {
        return local.entry(k, md.partition());
      }
      JsonNode answer = get(host, "/fleet/local/entry?map=" + enc(map) + "&node=" + enc(node) + "&key="
          + enc(key.toString()) + (cpu == null ? "" : "&cpu=" + cpu) + "&partition=" + md.partition());
      return answer.get("record").isNull() ? null : answer.get("record");
    }));
  }

  List<FleetGroup> aggregate(String name) {
    FleetAggregate a = aggregates.get(name);
    if (a == null) {
      throw new FleetException("no aggregate '" + name + "' (there are " + aggregates.keySet() + ")");
    }
    Set<String> live = live();
    Map<String, JsonNode> groups = new TreeMap<>();
    Map<String, BigDecimal[]> sums = new LinkedHashMap<>();
    Map<String, Integer> nodes = new LinkedHashMap<>();
    String store = FleetTopology.AGG_PREFIX + name;
    for (JsonNode row : gather(store, () -> local.aggregate(name), "/fleet/local/aggregates/" + enc(name))) {
      if (!counts(live, row.get("node").asText())) {
        continue;
      }
      String g = row.get("group").toString();
      groups.putIfAbsent(g, row.get("group"));
      nodes.merge(g, 1, Integer::sum);
      BigDecimal[] total = sums.computeIfAbsent(g, x -> zeros(a.sum().size() + 1));
      JsonNode s = row.get("sums");
      for (int i = 0; i < total.length && i < s.size(); i++) {
        total[i] = total[i].add(s.get(i).decimalValue());
      }
    }
    List<FleetGroup> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> g : groups.entrySet()) {
      BigDecimal[] total = sums.get(g.getKey());
      Map<String, BigDecimal> named = new LinkedHashMap<>();
      for (int i = 0; i < a.sum().size(); i++) {
        named.put(a.sum().get(i), total[i + 1]);
      }
      out.add(new FleetGroup(g.getValue(), total[0].longValueExact(), nodes.get(g.getKey()), named));
    }
    out.sort((x, y) -> compare(x.group(), y.group(), a.by()));
    return out;
  }

  /** Groups in order of their fields: numbers first, by value, then anything else by its JSON text. */
  static int compare(JsonNode x, JsonNode y, List<String> by) {
    for (String f : by) {
      JsonNode a = x.get(f);
      JsonNode b = y.get(f);
      boolean an = a != null && a.isNumber();
      boolean bn = b != null && b.isNumber();
      int c = an && bn ? a.decimalValue().compareTo(b.decimalValue())
          : an != bn ? (an ? -1 : 1) : String.valueOf(a).compareTo(String.valueOf(b));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static BigDecimal[] zeros(int n) {
    BigDecimal[] z = new BigDecimal[n];
    java.util.Arrays.fill(z, BigDecimal.ZERO);
    return z;
  }

  /**
   * The rows of a store from every instance: this one's from {@code mine}, the others' from
   * {@code path} on them; again until every partition of the store answered exactly once.
   */
  private List<JsonNode> gather(String store, Supplier<ObjectNode> mine, String path) {
    return retry(() -> {
      Predicate<String> feeds = local.feeds(store);
      Collection<StreamsMetadata> clients = streams.metadataForAllStreamsClients();
      Set<Integer> expected = new HashSet<>();
      List<HostInfo> hosts = new ArrayList<>();
      for (StreamsMetadata m : clients) {
        boolean holds = false;
        for (var tp : m.topicPartitions()) {
          if (feeds.test(tp.topic())) {
            expected.add(tp.partition());
            holds = true;
          }
        }
        if (holds) {
          hosts.add(m.hostInfo());
        }
      }
      if (expected.isEmpty()) {
        throw new InvalidStateStoreException("no instance holds a partition of " + store + " yet");
      }
      List<CompletableFuture<JsonNode>> asked = new ArrayList<>();
      for (HostInfo h : hosts) {
        asked.add(h.equals(self) ? CompletableFuture.completedFuture(mine.get()) : getAsync(address(h), path));
      }
      Set<Integer> answered = new HashSet<>();
      List<JsonNode> rows = new ArrayList<>();
      for (int i = 0; i < asked.size(); i++) {
        JsonNode answer = join(asked.get(i), address(hosts.get(i)));
        for (JsonNode p : answer.get("partitions")) {
          if (!answered.add(p.asInt())) {
            throw new InvalidStateStoreException("partition " + p.asInt() + " of " + store + " answered twice");
          }
        }
        answer.get("rows").forEach(rows::add);
      }
      if (!answered.equals(expected)) {
        throw new InvalidStateStoreException("partitions " + expected + " of " + store + ", answered " + answered);
      }
      return rows;
    });
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  static String address(HostInfo h) {
    return (h.host().contains(":") ? "[" + h.host() + "]" : h.host()) + ":" + h.port();
  }

  /**
   * Runs a read again while the table rebalances, for up to {@link #PATIENCE}; at once fails when
   * the table stopped.
   */
  private <T> T retry(Supplier<T> read) {
    long end = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        KafkaStreams.State state = streams.state();
        if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
          throw new FleetException("the fleet table is " + state.name().toLowerCase(java.util.Locale.ROOT)
              + ": it answers no query");
        }
        if (state != KafkaStreams.State.RUNNING) {
          throw new InvalidStateStoreException("the fleet table is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        return read.get();
      } catch (InvalidStateStoreException | Unavailable e) {
        if (System.nanoTime() > end) {
          throw new FleetException("the fleet table could not answer within " + patience.toMillis() + " ms: "
              + e.getMessage(), e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new FleetException("interrupted while querying the fleet table", ie);
        }
      }
    }
  }

  private CompletableFuture<JsonNode> getAsync(String host, String path) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + host + path)).timeout(Duration.ofSeconds(10))
        .build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
      if (r.statusCode() != 200) {
        throw new Unavailable("fleet instance " + host + " answered " + r.statusCode() + ": "
            + new String(r.body(), StandardCharsets.UTF_8).strip());
      }
      JsonNode n;
      try {
        n = Sums.JSON.readTree(r.body());  // exact: the other instance's sums as it wrote them
      } catch (java.io.IOException e) {
        n = null;
      }
      if (n == null) {
        throw new Unavailable("fleet instance " + host + " answered no JSON");
      }
      return n;
    });
  }

  private JsonNode get(String host, String path) {
    return join(getAsync(host, path), host);
  }

  private static JsonNode join(CompletableFuture<JsonNode> f, String host) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof Unavailable u ? u
          : new Unavailable("fleet instance " + host + " did not answer: " + e.getCause());
    }
  }

  @Override
  public void close() {
    client.close();
  }

  /** Percent-encoded, a space as %20: {@link FleetHttp} reads a + as a plus. */
  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Another instance did not answer, or not yet for the partitions it was given: ask again. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** An aggregate's groups as JSON: {@code [{"group","entries","nodes","sums"}…]}. */
  static ArrayNode json(List<FleetGroup> groups) {
    ArrayNode out = Sums.JSON.createArrayNode();
    for (FleetGroup g : groups) {
      ObjectNode o = out.addObject();
      o.set("group", g.group());
      o.put("entries", g.entries());
      o.put("nodes", g.nodes());
      ObjectNode s = o.putObject("sums");
      g.sums().forEach(s::put);
    }
    return out;
  }
}
