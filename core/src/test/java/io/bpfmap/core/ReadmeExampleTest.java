package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's first example, with the pin in the test's own directory. */
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
}
