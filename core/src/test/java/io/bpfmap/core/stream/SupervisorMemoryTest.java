package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.ChildJvm;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native memory across reopens, measured by the JVM's own tracking (NMT) in a child JVM. */
@KernelTest
class SupervisorMemoryTest {
  @Test
  void fortyReopensOfAPerCpuMapGiveBackTheirNativeBuffers(PinDir dir) throws Exception {
    ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-XX:NativeMemoryTracking=summary",
        "--enable-native-access=ALL-UNNAMED"), ReopenMain.class, dir.resolve("reopen").toString(), "40");
    assertThat(r.exitCode()).as(r.output()).isZero();
    String line = r.output().lines().filter(l -> l.startsWith("other_kb ")).findFirst().orElseThrow(
        () -> new AssertionError("no figures from the child: " + r.output()));
    String[] f = line.split(" ");
    long growthKb = Long.parseLong(f[2]) - Long.parseLong(f[1]);
    System.out.println("SupervisorMemoryTest: " + line);
    // Each reopen allocates 16 384 × (16 + 2 × 64) bytes of batch buffers (2.3 MB): 40 leaked would be 92 MB.
    assertThat(growthKb).as("native memory (NMT Other) grown over 40 reopens, KB; %s", line).isLessThan(8 * 1024);
  }
}
