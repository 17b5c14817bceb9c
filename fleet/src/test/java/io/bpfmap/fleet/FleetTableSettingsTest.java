package io.bpfmap.fleet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fleet table's settings that cannot work are refused, in one line, before Kafka is asked. */
class FleetTableSettingsTest {
  private static FleetTableBuilder valid() {
    return FleetTable.builder().bootstrapServers("127.0.0.1:1").topics(List.of("bpfmap.flows"));
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> FleetTable.builder().topics(List.of("t")).build())
        .hasMessage("bootstrap servers: required");
    assertThatThrownBy(() -> FleetTable.builder().bootstrapServers("k:9092").build())
        .hasMessage("topics: give the topics of map records, or a pattern of them (one of the two)");
    assertThatThrownBy(() -> valid().topicPattern(java.util.regex.Pattern.compile("x")).build())
        .hasMessage("topics: give the topics of map records, or a pattern of them (one of the two)");
    assertThatThrownBy(() -> valid().expiry(Duration.ofSeconds(-1)).build())
        .hasMessage("expiry: must not be negative");
    FleetAggregate a = new FleetAggregate("x", "flows", List.of("dport"), List.of());
    assertThatThrownBy(() -> valid().aggregate(a).aggregate(a).build())
        .hasMessage("aggregate 'x' is given twice");
    try (FleetTable t = valid().streamsProperties(Map.of("application.id", "mine")).build()) {
      assertThatThrownBy(t::start).hasMessage("Kafka Streams setting application.id is the fleet table's own: set it "
          + "through the table (application id, bootstrap servers, advertise, state dir, threads)");
    }
    assertThatThrownBy(() -> FleetTable.checkAdvertise("nowhere")).hasMessage("advertise: 'nowhere' is not HOST:PORT");
    try (FleetTable t = valid().stateDir(java.nio.file.Path.of("/proc/no-such-dir")).build()) {
      assertThatThrownBy(t::start).hasMessageStartingWith("state dir /proc/no-such-dir: cannot write there (");
    }
    try (FleetTable t = valid().streamsProperties(Map.of("commit.interval.ms", "lots")).build()) {
      assertThatThrownBy(t::start).isInstanceOf(FleetException.class).hasMessage("Kafka Streams refuses the settings: "
          + "Invalid value lots for configuration commit.interval.ms: Not a number of type LONG");
    }
  }
}
