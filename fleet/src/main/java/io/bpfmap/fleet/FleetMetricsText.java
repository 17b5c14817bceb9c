package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;

/**
 * The fleet's series in Prometheus' text format: {@code bpfmap_fleet_nodes{state}}, the skipped
 * records, and per aggregate {@code bpfmap_fleet_NAME_entries}, {@code _nodes} and one series per
 * sum field, labelled by the group's fields. Every instance serves the whole fleet's figures.
 */
final class FleetMetricsText {
  private FleetMetricsText() {}

  /**
   * The fleet's series; when the table cannot answer (stopped, or rebalancing for long), only
   * {@code bpfmap_fleet_up 0} and the skipped records, so that a scrape still gets Kafka Streams'
   * own metrics.
   */
  static String render(FleetQueries q, long skipped) {
    StringBuilder out = new StringBuilder();
    head(out, "bpfmap_fleet_records_skipped_total", "counter",
        "Records of the map topics read by this instance that are no map entry: ring events, records not bpfmap's.");
    out.append("bpfmap_fleet_records_skipped_total ").append(skipped).append('\n');
    head(out, "bpfmap_fleet_up", "gauge", "1 when the fleet table answered this scrape's queries, else 0.");
    try {
      String fleet = fleet(q.waitingAtMost(FleetQueries.SCRAPE_PATIENCE));
      return out.append("bpfmap_fleet_up 1\n").append(fleet).toString();
    } catch (FleetException e) {
      return out.append("bpfmap_fleet_up 0\n").toString();
    }
  }

  private static String fleet(FleetQueries q) {
    StringBuilder out = new StringBuilder();
    List<FleetNode> nodes = q.nodes();
    long live = nodes.stream().filter(FleetNode::live).count();
    head(out, "bpfmap_fleet_nodes", "gauge", "Nodes that sent heartbeats, by whether the last is within the expiry.");
    out.append("bpfmap_fleet_nodes{state=\"live\"} ").append(live).append('\n');
    out.append("bpfmap_fleet_nodes{state=\"expired\"} ").append(nodes.size() - live).append('\n');
    for (FleetAggregate a : q.aggregates().values()) {
      List<FleetGroup> groups = q.aggregate(a.name());
      String base = "bpfmap_fleet_" + a.name();
      series(out, base + "_entries", "Entries of the live nodes in each group of " + a.name() + " (map " + a.map() + ").",
          a, groups, g -> BigDecimal.valueOf(g.entries()));
      series(out, base + "_nodes", "Live nodes with entries in each group of " + a.name() + ".", a, groups,
          g -> BigDecimal.valueOf(g.nodes()));
      for (String s : a.sum()) {
        series(out, base + "_" + FleetAggregate.label(s), "The sum of " + s + " over the live nodes' entries in each "
            + "group of " + a.name() + ".", a, groups, g -> g.sums().get(s));
      }
    }
    return out.toString();
  }

  private static void head(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void series(StringBuilder out, String name, String help, FleetAggregate a, List<FleetGroup> groups,
      java.util.function.Function<FleetGroup, BigDecimal> value) {
    head(out, name, "gauge", help);
    for (FleetGroup g : groups) {
      out.append(name).append('{');
      for (int i = 0; i < a.by().size(); i++) {
        JsonNode v = g.group().get(a.by().get(i));
        out.append(i == 0 ? "" : ",").append(FleetAggregate.label(a.by().get(i))).append("=\"")
            .append(escape(v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString())).append('"');
      }
      out.append("} ").append(value.apply(g).toPlainString()).append('\n');
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
