package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bpfmap.core.record.JsonOut;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of this instance's share of the fleet table: the partitions of a store whose tasks are
 * active here, one by one, each answer saying which partitions it covers so that the gathering
 * instance can tell a whole answer from one caught in a rebalance.
 */
final class LocalStores {
  private final KafkaStreams streams;
  private final Predicate<String> topics;
  private final String applicationId;

  LocalStores(KafkaStreams streams, Predicate<String> topics, String applicationId) {
    this.streams = streams;
    this.topics = topics;
    this.applicationId = applicationId;
  }

  /** Which input topics feed a store's tasks: the map topics, or an aggregate's repartition topic. */
  Predicate<String> feeds(String store) {
    if (store.equals(FleetTopology.ENTRIES)) {
      return topics;
    }
    String repartition = applicationId + "-" + store + "-repartition";
    return repartition::equals;
  }

  /** The partitions of {@code store} active on this instance. */
  Set<Integer> partitions(String store) {
    Predicate<String> feeds = feeds(store);
    Set<Integer> out = new TreeSet<>();
    for (ThreadMetadata t : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : t.activeTasks()) {
        task.topicPartitions().stream().filter(tp -> feeds.test(tp.topic())).forEach(tp -> out.add(tp.partition()));
      }
    }
    return out;
  }

  ReadOnlyKeyValueStore<Bytes, Object> store(String store, int partition) {
    return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<Bytes, Object>keyValueStore())
        .withPartition(partition));
  }

  /** A store's value as bytes: the entries' and nodes' stores hold {@link Bytes}, the aggregates' arrays. */
  static byte[] bytes(Object value) {
    return value == null ? null : value instanceof Bytes b ? b.get() : (byte[]) value;
  }

  /** {@code {"partitions":[…],"rows":[…]}}: the map's records here, of one node or all. */
  ObjectNode entries(String map, String node) {
    ObjectNode answer = Sums.JSON.createObjectNode();
    ArrayNode parts = answer.putArray("partitions");
    ArrayNode rows = answer.putArray("rows");
    byte[] prefix = node == null ? null : prefix(node, map);
    for (int p : partitions(FleetTopology.ENTRIES)) {
      ReadOnlyKeyValueStore<Bytes, Object> s = store(FleetTopology.ENTRIES, p);
      try (KeyValueIterator<Bytes, Object> it = prefix == null ? s.all()
          : s.prefixScan(Bytes.wrap(prefix), Serdes.Bytes().serializer())) {
        while (it.hasNext()) {
          JsonNode record = FleetTopology.read(bytes(it.next().value));
          if (record != null && map.equals(FleetTopology.text(record, "map"))) {
            rows.add(record);
          }
        }
      }
      parts.add(p);
    }
    return answer;
  }

  /** {@code {"partitions":[…],"rows":[{"group","node","sums"}…]}}: an aggregate's rows here. */
  ObjectNode aggregate(String name) {
    String store = FleetTopology.AGG_PREFIX + name;
    ObjectNode answer = Sums.JSON.createObjectNode();
    ArrayNode parts = answer.putArray("partitions");
    ArrayNode rows = answer.putArray("rows");
    for (int p : partitions(store)) {
      try (KeyValueIterator<Bytes, Object> it = store(store, p).all()) {
        while (it.hasNext()) {
          var kv = it.next();
          String k = new String(kv.key.get(), StandardCharsets.UTF_8);
          int nul = k.indexOf('\0');
          ObjectNode row = rows.addObject();
          row.set("group", FleetTopology.read(k.substring(0, nul).getBytes(StandardCharsets.UTF_8)));
          row.put("node", k.substring(nul + 1));
          row.set("sums", exact(bytes(kv.value)));
        }
      }
      parts.add(p);
    }
    return answer;
  }

  /** A stored sums array as JSON, its numbers exact. */
  private static JsonNode exact(byte[] sums) {
    try {
      return Sums.JSON.readTree(sums);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The record under a key in a partition active here, or null when it holds none. */
  JsonNode entry(byte[] key, int partition) {
    if (!partitions(FleetTopology.ENTRIES).contains(partition)) {
      throw new InvalidStateStoreException("partition " + partition + " of the entries moved away");
    }
    byte[] v = bytes(store(FleetTopology.ENTRIES, partition).get(Bytes.wrap(key)));
    return v == null ? null : FleetTopology.read(v);
  }

  /** {@code {"node":NODE,"map":MAP}} without its closing brace: how every record key of theirs starts. */
  static byte[] prefix(String node, String map) {
    return new JsonOut().raw(JsonOut.member('{', "node")).string(node).raw(JsonOut.member(',', "map")).string(map).take();
  }

  /** A record's key as bpfmap writes it: {@code {"node","map"[,"cpu"],"key"}}. */
  static byte[] key(String node, String map, Integer cpu, JsonNode key) {
    JsonOut out = new JsonOut().raw(prefix(node, map));
    if (cpu != null) {
      out.raw(JsonOut.member(',', "cpu")).number(cpu);
    }
    return out.raw(JsonOut.member(',', "key")).raw(key.toString().getBytes(StandardCharsets.UTF_8)).raw('}').take();
  }
}
