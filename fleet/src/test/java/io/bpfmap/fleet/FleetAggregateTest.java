package io.bpfmap.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The aggregates' pure parts: checks, field paths, exact sums, rows and the groups' order. */
class FleetAggregateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FleetAggregate BY_PORT = new FleetAggregate("bytes_by_dport", "flows", List.of("dport"),
      List.of("bytes", "value.stats.packets"));

  private static JsonNode record(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void badAggregatesAreRefusedInOneLine() {
    assertThatThrownBy(() -> new FleetAggregate("1x", "flows", List.of("dport"), List.of()))
        .hasMessage("aggregate '1x': a name is letters, digits and _, not starting with a digit");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of(), List.of()))
        .hasMessage("aggregate 'x': by: at least one field makes a group");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of("key..a"), List.of()))
        .hasMessage("aggregate 'x': by: 'key..a' is not a field path");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of("dport"), List.of(".bytes")))
        .hasMessage("aggregate 'x': sum: '.bytes' is not a field path");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of("key.port", "value.port"), List.of()))
        .hasMessage("aggregate 'x': by: two fields make the label 'port'");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of("dport"), List.of("value.rx.bytes", "tx.bytes")))
        .hasMessage("aggregate 'x': sum: 'tx.bytes' would name the series _bytes as another field does");
    assertThatThrownBy(() -> new FleetAggregate("x", "flows", List.of("dport"), List.of("nodes")))
        .hasMessage("aggregate 'x': sum: 'nodes' would name the series _nodes, which the aggregate has already");
  }

  @Test
  void pathsReadTheKeyForGroupsAndTheValueForSums() throws Exception {
    JsonNode r = record("{\"node\":\"n1\",\"map\":\"flows\",\"key\":{\"dport\":443,\"in\":{\"x\":1}},"
        + "\"value\":{\"bytes\":18446744073709551615,\"stats\":{\"packets\":2.5},\"dport\":9}}");
    assertThat(FleetAggregate.at(r, "dport", false).asInt()).isEqualTo(443);
    assertThat(FleetAggregate.at(r, "dport", true).asInt()).isEqualTo(9);
    assertThat(FleetAggregate.at(r, "key.in.x", true).asInt()).isEqualTo(1);
    assertThat(FleetAggregate.at(r, "value.nothing", true)).isNull();
    assertThat(FleetAggregate.at(r, "node", false).asText()).isEqualTo("n1");  // the record's own
    assertThat(FleetAggregate.at(r, "cpu", false)).isNull();
    assertThat(FleetAggregate.label("key.in.x")).isEqualTo("x");
    assertThat(FleetAggregate.label("value.1-a")).isEqualTo("_1_a");
    var row = FleetTopology.regroup(BY_PORT, r);
    assertThat(new String(row.key.get(), StandardCharsets.UTF_8)).isEqualTo("{\"dport\":443}\0n1");
    // u64's largest and a decimal, exactly
    assertThat(new String(row.value, StandardCharsets.UTF_8)).isEqualTo("[1,18446744073709551615,2.5]");
  }

  @Test
  void sumsAddAndSubtractExactlyAndARowWithNoEntryGoes() throws Exception {
    byte[] a = Sums.contribution(record("{\"value\":{\"bytes\":10,\"stats\":{\"packets\":1}}}"), BY_PORT);
    byte[] b = Sums.contribution(record("{\"value\":{\"bytes\":\"many\"}}"), BY_PORT);  // not numbers: 0
    byte[] total = Sums.add(Sums.add(null, a, true), b, true);
    assertThat(Sums.read(total)).containsExactly(new BigDecimal(2), new BigDecimal(10), new BigDecimal(1));
    byte[] less = Sums.add(total, a, false);
    assertThat(Sums.read(less)).containsExactly(BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO);
    assertThat(Sums.add(less, b, false)).isNull();
  }

  @Test
  void groupsAreOrderedByNumberThenText() throws Exception {
    List<JsonNode> groups = new java.util.ArrayList<>(List.of(record("{\"dport\":8080}"), record("{\"dport\":443}"),
        record("{\"dport\":80}"), record("{\"dport\":\"ssh\"}")));
    groups.sort((x, y) -> FleetQueries.compare(x, y, List.of("dport")));
    assertThat(groups.toString()).isEqualTo("[{\"dport\":80}, {\"dport\":443}, {\"dport\":8080}, {\"dport\":\"ssh\"}]");
  }
}
