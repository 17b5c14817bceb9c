package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The fleet table's Kafka Streams topology:
 * <ul>
 *   <li>the map topics' records, less cycle markers and ring events, become the table
 *       {@value #ENTRIES}: keyed by the record's key, the record as its value, a {@code d} record
 *       or a tombstone deleting it;
 *   <li>each aggregate regroups the table by its fields and the node ({@code group NUL node}) into
 *       {@code fleet-agg-NAME}: per node and group, the entries and their sums, so that a query
 *       adds the live nodes' rows and a node that stops sending heartbeats drops out at once;
 *   <li>the heartbeat topic is a global table, {@value #NODES}, on every instance.
 * </ul>
 */
final class FleetTopology {
  static final String ENTRIES = "fleet-entries";
  static final String NODES = "fleet-nodes";
  static final String AGG_PREFIX = "fleet-agg-";

  private FleetTopology() {}

  /**
   * @param pattern the topics' pattern, instead of {@code topics}; or null
   * @param maps the maps whose records the table takes; empty: every map's
   * @param heartbeatTopic the heartbeat topic, or null for none
   */
  static Topology build(List<String> topics, java.util.regex.Pattern pattern, List<String> maps, String heartbeatTopic,
      List<FleetAggregate> aggregates, AtomicLong skipped) {
    StreamsBuilder b = new StreamsBuilder();
    java.util.Set<String> only = java.util.Set.copyOf(maps);
    Consumed<Bytes, Bytes> records = Consumed.with(Serdes.Bytes(), Serdes.Bytes()).withName("fleet-records");
    KTable<Bytes, Bytes> entries = (pattern != null ? b.stream(pattern, records) : b.stream(topics, records))
        .processValues(() -> new EntryFilter(skipped, only), Named.as("fleet-entry-filter"))
        .toTable(Named.as("fleet-entries-table"), Materialized.<Bytes, Bytes, KeyValueStore<Bytes, byte[]>>as(ENTRIES)
            .withKeySerde(Serdes.Bytes()).withValueSerde(Serdes.Bytes()));
    for (FleetAggregate a : aggregates) {
      String store = AGG_PREFIX + a.name();
      // the map is in the key: read the small key here, the record once, in groupBy
      entries.filter((k, v) -> v != null && a.map().equals(text(read(k), "map")), Named.as(store + "-filter"))
          .groupBy((k, v) -> regroup(a, read(v)), Grouped.with(store, Serdes.Bytes(), Serdes.ByteArray()))
          .aggregate(() -> null, (k, part, total) -> Sums.add(total, part, true),
              (k, part, total) -> Sums.add(total, part, false), Named.as(store + "-sums"),
              Materialized.<Bytes, byte[], KeyValueStore<Bytes, byte[]>>as(store).withKeySerde(Serdes.Bytes())
                  .withValueSerde(Serdes.ByteArray()));
    }
    if (heartbeatTopic != null) {
      b.globalTable(heartbeatTopic, Consumed.with(Serdes.Bytes(), Serdes.Bytes()).withName("fleet-heartbeats"),
          Materialized.<Bytes, Bytes, KeyValueStore<Bytes, byte[]>>as(NODES).withKeySerde(Serdes.Bytes())
              .withValueSerde(Serdes.Bytes()));
    }
    return b.build();
  }

  /** An entry's aggregate row key {@code {group} NUL node}, and its contribution. */
  static KeyValue<Bytes, byte[]> regroup(FleetAggregate a, JsonNode record) {
    return KeyValue.pair(Bytes.wrap(rowKey(group(a, record), text(record, "node"))), Sums.contribution(record, a));
  }

  /** The group of a record: {@code {"dport":443}}, one member per {@code by} path. */
  static ObjectNode group(FleetAggregate a, JsonNode record) {
    ObjectNode g = Sums.JSON.createObjectNode();
    for (String path : a.by()) {
      g.set(path, FleetAggregate.at(record, path, false));
    }
    return g;
  }

  static byte[] rowKey(ObjectNode group, String node) {
    // JSON text never holds a raw NUL: it splits the group from the node
    return (group.toString() + '\0' + node).getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode read(Bytes b) {
    return read(b.get());
  }

  /** Records as they are: numbers as long or double, BigInteger past a long (u64). */
  private static final com.fasterxml.jackson.databind.ObjectMapper RECORDS = new com.fasterxml.jackson.databind.ObjectMapper();

  static JsonNode read(byte[] b) {
    try {
      return RECORDS.readTree(b);
    } catch (IOException e) {
      return null;
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  /**
   * Passes map entries and their deletes to the table: drops cycle markers, other maps' records,
   * ring events and records that are not bpfmap's (these counted in {@code skipped}); a {@code d}
   * record deletes.
   */
  private static final class EntryFilter implements FixedKeyProcessor<Bytes, Bytes, Bytes> {
    private final AtomicLong skipped;
    private final java.util.Set<String> maps;
    private FixedKeyProcessorContext<Bytes, Bytes> context;

    EntryFilter(AtomicLong skipped, java.util.Set<String> maps) {
      this.skipped = skipped;
      this.maps = maps;
    }

    @Override
    public void init(FixedKeyProcessorContext<Bytes, Bytes> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<Bytes, Bytes> r) {
      if (r.key() == null || r.headers().lastHeader("bpfmap.kind") != null) {
        skipped.incrementAndGet();  // a ring's events, a heartbeat: not a map's entries
        return;
      }
      JsonNode key = read(r.key());
      if (key == null || text(key, "node") == null || text(key, "map") == null || key.has("marker")) {
        if (key == null || !key.has("marker")) {
          skipped.incrementAndGet();
        }
        return;
      }
      if (!maps.isEmpty() && !maps.contains(text(key, "map"))) {
        return;  // another map's, in a topic maps share
      }
      if (r.value() == null) {
        context.forward(r);
        return;
      }
      JsonNode value = read(r.value());
      if (value == null || !value.has("value")) {
        skipped.incrementAndGet();
        return;
      }
      context.forward("d".equals(text(value, "op")) ? r.withValue(null) : r);
    }
  }
}
