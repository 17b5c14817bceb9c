package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfLink;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.stream.MapEvent;
import io.bpfmap.core.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example of programs and event streams, on the quickstart's program. */
@KernelTest
class ReadmeProgramExampleIT {
  @Test
  void readmeProgramExampleRuns(@TempDir Path tmp) throws Exception {
    Path object = Files.copy(ProgramExportIT.OBJECT, tmp.resolve("quickstart.bpf.o"));
    MapEvent first;
    try (BpfObject obj = BpfObject.open(object)) {
      List<BpfLink> links = obj.attach(List.of());
      try (EventStream execs = EventStream.builder(obj.map("execs"))
          .valueLayout(obj.layout("struct exec_event"))
          .mask(PermissionMask.parse("{\"*\": \"R\", \"uid\": \"X\"}"))
          .lostCounter(obj.map("execs_lost"))
          .build()) {
        CompletableFuture<MapEvent> next = CompletableFuture.supplyAsync(() -> execs.events().blockFirst());
        Thread.sleep(300);
        Process p = new ProcessBuilder("/bin/true").start();
        first = next.get(30, TimeUnit.SECONDS);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(links).as("count_syscalls, time_syscalls, on_exec").hasSize(3);
      }
      assertThat(obj.links()).hasSize(3);
    }
    assertThat(first.value()).containsEntry("uid", null).containsKey("filename").containsKey("pid");
    assertThat(((Number) first.value().get("pid")).longValue()).isPositive();
  }
}
