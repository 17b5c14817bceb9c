package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A sum over the fleet of a map's entries, grouped by fields of their records: bytes per
 * destination port, say, is {@code new FleetAggregate("bytes_by_dport", "flows", List.of("dport"),
 * List.of("bytes", "packets"))}.
 *
 * <p>A field is a path into the record: {@code dport} or {@code key.dport} in the key,
 * {@code bytes} or {@code value.bytes} in the value, {@code key} alone for a bare key, and deeper
 * ones through dots ({@code value.stats.bytes}). {@code by} paths without a prefix are read in the
 * key, except {@code node} and {@code cpu}, the record's own (a key field of that name is
 * {@code key.node}); {@code sum} paths in the value. Every group also counts its entries and its
 * nodes.
 *
 * @param name names the aggregate in queries and on {@code /metrics}: letters, digits and {@code _}
 * @param map the map whose entries it sums (the {@code map} of their records)
 * @param by the fields that make a group; their values, as published, are the group
 * @param sum the numeric fields it sums; a field that is missing, null or not a number adds 0
 */
public record FleetAggregate(String name, String map, List<String> by, List<String> sum) {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  /**
   * Checks the aggregate.
   *
   * @throws FleetException when the name is not a metric name, a list is empty or a path is
   *     empty
   */
  public FleetAggregate {
    by = List.copyOf(by);
    sum = List.copyOf(sum);
    if (!NAME.matcher(name).matches()) {
      throw new FleetException("aggregate '" + name + "': a name is letters, digits and _, not starting with a digit");
    }
    if (by.isEmpty()) {
      throw new FleetException("aggregate '" + name + "': by: at least one field makes a group");
    }
    java.util.Set<String> labels = new java.util.HashSet<>();
    for (String p : by) {
      check(name, "by", p);
      if (!labels.add(label(p))) {
        throw new FleetException("aggregate '" + name + "': by: two fields make the label '" + label(p) + "'");
      }
    }
    java.util.Set<String> series = new java.util.HashSet<>(java.util.Set.of("entries", "nodes"));
    for (String p : sum) {
      check(name, "sum", p);
      if (!series.add(label(p))) {
        throw new FleetException("aggregate '" + name + "': sum: '" + p + "' would name the series _" + label(p)
            + (label(p).equals("entries") || label(p).equals("nodes") ? ", which the aggregate has already"
                : " as another field does"));
      }
    }
  }

  private static void check(String name, String what, String path) {
    if (path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw new FleetException("aggregate '" + name + "': " + what + ": '" + path + "' is not a field path");
    }
  }

  /** The label a {@code by} path gets on {@code /metrics}: its last part, made a label name. */
  static String label(String path) {
    String last = path.substring(path.lastIndexOf('.') + 1);
    String l = last.replaceAll("[^a-zA-Z0-9_]", "_");
    return Character.isDigit(l.charAt(0)) ? "_" + l : l;
  }

  /** The node a path reaches in a record ({@code inValue}: where a bare path starts), or null. */
  static JsonNode at(JsonNode record, String path, boolean inValue) {
    String[] parts = path.split("\\.");
    JsonNode n = record;
    int from = 0;
    if (parts[0].equals("key") || parts[0].equals("value")) {
      n = record.get(parts[0]);
      from = 1;
    } else if (!inValue && parts.length == 1 && (parts[0].equals("node") || parts[0].equals("cpu"))) {
      n = record.get(parts[0]);  // the record's own: by node, by CPU
      from = 1;
    } else {
      n = record.get(inValue ? "value" : "key");
    }
    for (int i = from; i < parts.length && n != null; i++) {
      n = n.get(parts[i]);
    }
    return n == null || n.isNull() || n.isMissingNode() ? null : n;
  }
}
