package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's examples of the library, with pins in the test's own directory. */
@KernelTest
class ReadmeExampleTest {
  @Test
  void readmeExampleRuns(PinDir dir) {
    Path pin = dir.resolve("test-map");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "test_map", 16, 64, 256))) {
      map.pin(pin);
    }
    try (BpfMap b = BpfMap.openPinned(pin)) {
      byte[] key = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f00");
      b.update(key, new byte[64]);
      Optional<byte[]> value = b.lookup(key);
      MapInfo info = b.info();
      assertThat(value).hasValueSatisfying(v -> assertThat(v).hasSize(64));
      assertThat(info.keySize()).isEqualTo(16);
    }
  }

  @Test
  void readmeBtfExampleRuns(PinDir dir) {
    try (BpfObject obj = BpfObject.open(io.bpfmap.core.testing.BpfPrograms.compile("flows"))) {
      BpfMap flows = obj.map("btf_flows");
      ParsedMap p = flows.parsed();
      p.update(java.util.Map.of("saddr", 16777226, "daddr", 33554442, "sport", 40000, "dport", 443, "proto", 6),
          java.util.Map.of("packets", 10, "bytes", 1500, "verdict", "DROP", "comm", "curl", "secret", 42));
      String c = flows.btf().orElseThrow().c();
      obj.pinMaps(dir.path());
      assertThat(c).contains("struct flow_stats {", "enum verdict verdict;");
      assertThat(p.lookup(java.util.Map.of("saddr", 16777226, "daddr", 33554442, "sport", 40000, "dport", 443,
          "proto", 6)).orElseThrow()).containsEntry("verdict", "DROP").containsEntry("packets", 10L);
    }
    try (BpfMap m = MapSelector.parse(dir.resolve("btf_flows").toString()).open(OpenMode.READ_ONLY)) {
      assertThat(m.info().name()).isEqualTo("btf_flows");
      java.util.List<KernelMaps.Listed> all = KernelMaps.listWithPins();
      assertThat(all).anyMatch(l -> l.info().id() == m.info().id() && l.pins().contains(dir.resolve("btf_flows")));
    }
  }
}
