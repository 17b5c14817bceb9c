package io.bpfmap.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.Bpffs;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The extension itself: pin directories, cleanup, and the fd-leak check, run through the engine. */
@KernelTest
class BpfExtensionTest {
  static final List<BpfMap> LEAKED = new ArrayList<>();
  static Path seenDir;

  @Test
  void classThatLeaksAMapFdFails() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Leaky.class)).execute()
        .containerEvents();
    try {
      assertThat(events.failed().count()).isEqualTo(1);
      Throwable t = events.failed().list().getFirst().getRequiredPayload(
          org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElseThrow();
      assertThat(t).hasMessageMatching("Leaky leaked 1 BPF file descriptor\\(s\\): \\[\\d+:bpf-map\\]");
    } finally {
      LEAKED.forEach(BpfMap::close);
    }
  }

  @Test
  void eachTestGetsAPinDirectoryOnBpffsThatIsRemovedAfterwards() {
    var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Pinning.class)).execute();
    results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    results.containerEvents().assertStatistics(s -> s.failed(0));
    assertThat(Bpffs.mountPointOf(seenDir)).isEqualTo(Bpffs.DEFAULT);
    assertThat(Files.exists(seenDir)).as("pin directory removed").isFalse();
  }

  @KernelTest
  static class Leaky {
    @Test
    void leaksOneMap() {
      LEAKED.add(BpfMap.create(MapSpec.of(MapType.HASH, "t_leak", 4, 4, 1)));
    }
  }

  @KernelTest
  static class Pinning {
    @Test
    void pinsAMap(PinDir dir) {
      seenDir = dir.path();
      try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_pinned", 4, 4, 1))) {
        map.pin(dir.resolve("m"));
        assertThat(dir.resolve("m")).exists();
      }
    }
  }
}
