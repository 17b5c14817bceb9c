package io.bpfmap.exporter;

import io.bpfmap.core.stream.Mode;
import io.bpfmap.fleet.FleetAggregate;
import io.bpfmap.fleet.FleetException;
import io.bpfmap.fleet.FleetTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code fleet:} section of a config: how {@code bpfmap fleet} runs the fleet table over the
 * topics the config's nodes export to. Every key has a default, so the nodes' config serves as it
 * is.
 *
 * @param host where HTTP listens, with {@code port}
 * @param advertise how the other instances reach this one ({@code host:port}), or null
 * @param maps the maps in the table: every map the config exports, unless {@code maps:} chooses
 * @param topics their topics, from {@code sinks.kafka.topic} or {@code fleet.topics}; empty with a
 *     pattern
 * @param topicPattern with {@code {node}} in {@code sinks.kafka.topic}: every node's topics of the
 *     maps, found as nodes create them; else null
 * @param expiry how old a node's last heartbeat may be ({@code 0}: every node counts)
 * @param streams Kafka Streams settings over the table's own
 */
record FleetConfigs(String host, int port, String advertise, String applicationId, Path stateDir, Duration expiry,
    List<String> maps, List<String> topics, java.util.regex.Pattern topicPattern, List<FleetAggregate> aggregates,
    int threads, Map<String, String> streams) {

  static FleetConfigs parse(Object tree, List<Config.MapConfig> configMaps, Config.KafkaConfig kafka) {
    String at = "fleet";
    Map<String, Object> m = tree == null ? Map.of() : YamlValues.object(tree, at);
    YamlValues.keys(m, at, Set.of("listen", "advertise", "application-id", "state-dir", "expiry", "maps", "topics",
        "aggregates", "threads", "streams"));
    String listen = m.containsKey("listen") ? YamlValues.string(m.get("listen"), at + ".listen")
        : "0.0.0.0:" + FleetTable.DEFAULT_PORT;
    int colon = listen.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (colon < 0 || port < 0 || port > 65535) {
      throw new CliException(at + ".listen: '" + listen + "' is not HOST:PORT");
    }
    // SNAPSHOT sends no deletes and DRAIN takes entries once: only CHANGES maps mirror their node's map
    Map<String, Config.MapConfig> byName = new LinkedHashMap<>();
    configMaps.forEach(c -> byName.put(c.name(), c));
    List<String> maps = byName.values().stream().filter(c -> c.mode() == Mode.CHANGES).map(Config.MapConfig::name)
        .toList();
    if (m.containsKey("maps")) {
      maps = strings(m.get("maps"), at + ".maps");
      for (int i = 0; i < maps.size(); i++) {
        Config.MapConfig c = byName.get(maps.get(i));
        if (c == null) {
          throw new CliException(at + ".maps[" + i + "]: '" + maps.get(i) + "' is no map of maps: (there are "
              + byName.keySet() + ")");
        }
        if (c.mode() != Mode.CHANGES) {
          throw new CliException(at + ".maps[" + i + "]: map '" + c.name() + "' is exported in "
              + c.mode().name().toLowerCase(java.util.Locale.ROOT) + " mode, whose records do not say what its node "
              + "deleted: the table would keep it; export it with mode: changes");
        }
      }
    }
    List<String> topics = List.of();
    java.util.regex.Pattern pattern = null;
    if (m.containsKey("topics")) {
      topics = strings(m.get("topics"), at + ".topics");
    } else if (maps.isEmpty()) {
      throw new CliException(at + ".topics: no topic to read: the config exports no map in changes mode");
    } else if (kafka.topic().contains("{node}")) {
      pattern = pattern(kafka.topic(), maps);
    } else {
      Set<String> t = new LinkedHashSet<>();
      maps.forEach(name -> t.add(kafka.topic().replace("{map}", name)));
      topics = List.copyOf(t);
    }
    List<FleetAggregate> aggregates = new ArrayList<>();
    if (m.get("aggregates") != null) {
      if (!(m.get("aggregates") instanceof List<?> list)) {
        throw new CliException(at + ".aggregates: expected a list of aggregates");
      }
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String a = at + ".aggregates[" + i + "]";
        Map<String, Object> am = YamlValues.object(list.get(i), a);
        YamlValues.keys(am, a, Set.of("name", "map", "by", "sum"));
        String map = YamlValues.string(YamlValues.required(am, "map", a), a + ".map");
        if (!maps.contains(map)) {
          throw new CliException(a + ".map: '" + map + "' is not in the fleet table (its maps are " + maps + ")");
        }
        try {
          FleetAggregate agg = new FleetAggregate(YamlValues.string(YamlValues.required(am, "name", a), a + ".name"), map,
              strings(YamlValues.required(am, "by", a), a + ".by"),
              am.containsKey("sum") ? strings(am.get("sum"), a + ".sum") : List.of());
          if (!names.add(agg.name())) {
            throw new CliException(a + ".name: '" + agg.name() + "' is taken by another aggregate");
          }
          aggregates.add(agg);
        } catch (FleetException e) {
          throw new CliException(a + ": " + e.getMessage().replaceFirst("^aggregate '[^']*': ", ""), e);
        }
      }
    }
    Map<String, String> streams = new LinkedHashMap<>();
    if (m.get("streams") != null) {
      YamlValues.object(m.get("streams"), at + ".streams").forEach((k, v) -> streams.put(k, String.valueOf(v)));
      try {
        FleetTable.checkStreams(streams, kafka.bootstrapServers());
      } catch (FleetException e) {
        throw new CliException(at + ".streams: " + e.getMessage(), e);
      }
    }
    Duration expiry;
    if (m.containsKey("expiry")) {
      expiry = "0".equals(String.valueOf(m.get("expiry"))) ? Duration.ZERO : Config.duration(m.get("expiry"), at + ".expiry");
    } else {
      Duration beat = kafka.changeEvents().heartbeatInterval();
      expiry = beat == null ? Duration.ZERO : beat.multipliedBy(3);
    }
    String advertise = m.containsKey("advertise") ? YamlValues.string(m.get("advertise"), at + ".advertise") : null;
    if (advertise != null) {
      try {
        FleetTable.checkAdvertise(advertise);
      } catch (FleetException e) {
        throw new CliException(at + "." + e.getMessage(), e);
      }
    }
    return new FleetConfigs(listen.substring(0, colon), port, advertise,
        m.containsKey("application-id") ? YamlValues.string(m.get("application-id"), at + ".application-id")
            : "bpfmap-fleet",
        m.containsKey("state-dir") ? Path.of(YamlValues.string(m.get("state-dir"), at + ".state-dir"))
            : Path.of("/var/lib/bpfmap/fleet"),
        expiry, List.copyOf(maps), topics, pattern, List.copyOf(aggregates),
        m.containsKey("threads") ? YamlValues.integer(m.get("threads"), at + ".threads", 1) : 1, streams);
  }

  /** Every node's topics of the maps: the pattern's text quoted, {@code {node}} any name, {@code {map}} one of the maps. */
  static java.util.regex.Pattern pattern(String template, List<String> maps) {
    StringBuilder re = new StringBuilder();
    java.util.regex.Matcher parts = java.util.regex.Pattern.compile("\\{node}|\\{map}").matcher(template);
    int at = 0;
    while (parts.find()) {
      re.append(quote(template.substring(at, parts.start())));
      re.append(parts.group().equals("{node}") ? "[^/]+"
          : "(?:" + String.join("|", maps.stream().map(FleetConfigs::quote).toList()) + ")");
      at = parts.end();
    }
    re.append(quote(template.substring(at)));
    return java.util.regex.Pattern.compile(re.toString());
  }

  /** Literal text in a pattern that reads as it is: {@code bpfmap\.} rather than {@code \Qbpfmap.\E}. */
  private static String quote(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if ("\\.[]{}()*+-?^$|".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static List<String> strings(Object v, String at) {
    if (v instanceof String s) {
      return List.of(s);
    }
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      throw new CliException(at + ": expected a list of names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(YamlValues.string(list.get(i), at + "[" + i + "]"));
    }
    return out;
  }
}
