package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An object's maps are pinned all together or not at all, as libbpf's own pin_maps does. */
@KernelTest
class BpfObjectPinTest {
  @Test
  void aRefusedPinRemovesThePinsMadeBeforeItAndLeavesTheOneInTheWay(PinDir dir) throws IOException {
    Path into = dir.resolve("objects");
    try (BpfMap inTheWay = BpfMap.create(MapSpec.of(MapType.HASH, "in_the_way", 4, 4, 1));
        BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      assertThat(obj.mapNames()).startsWith("ring_lost", "events", "perf_events", "counters");
      Files.createDirectories(into);
      inTheWay.pin(into.resolve("counters"));  // the fourth map's name: three are pinned by then
      assertThatThrownBy(() -> obj.pinMaps(into)).isInstanceOf(BpfException.class)
          .hasMessage("pin " + into.resolve("counters") + ": EEXIST (File exists): something is already pinned there");
      try (var left = Files.list(into)) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("counters");
      }
      try (BpfMap still = BpfMap.openPinned(into.resolve("counters"))) {
        assertThat(still.info().id()).isEqualTo(inTheWay.info().id());
      }
      Files.delete(into.resolve("counters"));
      obj.pinMaps(into);
      try (var all = Files.list(into)) {
        assertThat(all.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
            obj.mapNames().stream().filter(n -> !n.contains(".")).toList());
      }
    }
  }

  @Test
  void aDirectoryOffBpffsIsRefusedBeforeAnythingIsMade(@TempDir Path tmp) {
    Path into = tmp.resolve("pins/deeper");
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"))) {
      assertThatThrownBy(() -> obj.pinMaps(into)).isInstanceOf(BpfException.class)
          .hasMessage("pin " + into + ": " + into + " is not on a bpf filesystem (mount one: mount -t bpf bpf "
              + "/sys/fs/bpf)");
    }
    assertThat(tmp.resolve("pins")).doesNotExist();
  }
}
