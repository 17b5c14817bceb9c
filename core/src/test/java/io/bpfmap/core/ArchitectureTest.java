package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.internal.libbpf.Libbpf;
import io.bpfmap.core.testing.Architecture;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
  private static Path classesOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void onlyTheInternalLibbpfPackageMakesDowncalls() throws Exception {
    Set<String> found = Architecture.classesMakingDowncalls(classesOf(BpfMap.class));
    assertThat(found).as("the scan sees the binding itself").contains("io/bpfmap/core/internal/libbpf/Libbpf");
    assertThat(Architecture.outsideNativePackage(found)).isEmpty();
  }

  @Test
  void theScanFlagsDowncallsOutsideTheInternalPackage() throws Exception {
    // This test class refers to Linker below, so a scan of the test classes must report it.
    Set<String> found = Architecture.classesMakingDowncalls(classesOf(ArchitectureTest.class));
    assertThat(Architecture.outsideNativePackage(found)).contains("io/bpfmap/core/ArchitectureTest$Offender");
    assertThat(Offender.linker()).isNotNull();
    assertThat(Libbpf.SONAME).isNotEmpty();
  }

  /** A deliberate offender for the scan to find. */
  static final class Offender {
    static Object linker() {
      return java.lang.foreign.Linker.nativeLinker();
    }
  }
}
