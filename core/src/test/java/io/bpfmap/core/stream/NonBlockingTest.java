package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.ChildJvm;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BlockHound (in a child JVM, as it instruments the whole JVM) finds no syscall on a non-blocking thread. */
@KernelTest
class NonBlockingTest {
  @Test
  void cancelsAndRetriesMakeNoSyscallOnANonBlockingThread(PinDir dir) throws Exception {
    ChildJvm.Result r = ChildJvm.run(List.of(), List.of("-XX:+AllowRedefinitionToAddDeleteMethods",
        "-XX:+EnableDynamicAgentLoading", "-XX:-PrintWarnings", "--enable-native-access=ALL-UNNAMED"), NonBlockingMain.class,
        dir.resolve("missing").toString());
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).as(r.output()).contains("blocking calls: 0");
    assertThat(r.output().lines().filter(l -> l.startsWith("retries: ")).findFirst().orElseThrow())
        .as("the resilient stream retried the missing pin").isEqualTo("retries: 10");
  }
}
