package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quickstart, as a newcomer runs it: real kernel data in Kafka and on /metrics, no secret. */
@KernelTest
class QuickstartIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The records come from the kernel: exec events of processes this test starts (their pids, in
   * order), and the system calls of the quickstart's own process.
   */
  @Test
  void quickstartExportsWhatTheKernelProgramSees(@TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("bpfmap-qs-mark");
    Files.copy(Path.of("/bin/true"), marker);
    Files.setPosixFilePermissions(marker, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
      Path log = tmp.resolve("quickstart.out");
      Process q = Cli.startLogged(log, "quickstart", "--duration", "6s", "--kafka", kafka.bootstrapServers(),
          "--listen", "127.0.0.1:0");
      Await.until(() -> read(log).contains("quickstart: metrics on"));
      List<Long> pids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Process p = new ProcessBuilder(marker.toString()).start();
        pids.add(p.pid());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(q.waitFor(90, TimeUnit.SECONDS)).isTrue();
      String out = read(log);
      assertThat(q.exitValue()).as(out).isZero();
      assertThat(out).contains("quickstart: running the kernel demo: bpfmap's program counts every process's system "
          + "calls and reports each exec", "quickstart: the masked field 'uid' appears in no Kafka record and no metric",
          "quickstart: stopped; detached the program");
      Matcher timed = Pattern.compile("quickstart: (\\d+) system calls timed on /metrics as the histogram "
          + "bpfmap_syscall_latency_seconds").matcher(out);
      assertThat(timed.find()).as(out).isTrue();
      assertThat(Long.parseLong(timed.group(1))).as("the kernel's own timings").isPositive();
      Matcher own = Pattern.compile("(\\d+) of them about this quickstart's own pid " + q.pid()).matcher(out);
      assertThat(own.find()).as(out).isTrue();
      assertThat(Long.parseLong(own.group(1))).isPositive();
      List<Long> seen = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.execs", 5)) {
        JsonNode v = JSON.readTree(r.value()).get("value");
        if (v.get("filename").asText().equals(marker.toString())) {
          seen.add(v.get("pid").asLong());
        }
      }
      assertThat(seen).as("exec events with the kernel's pids, in order").isEqualTo(pids);
      boolean ownSyscalls = false;
      for (ConsumerRecord<byte[], byte[]> r : KafkaTopics.readEntries(kafka.bootstrapServers(), "bpfmap.syscalls", 1)) {
        ownSyscalls |= JSON.readTree(r.key()).get("key").get("pid").asLong() == q.pid();
      }
      assertThat(ownSyscalls).as("the quickstart's own system calls, counted by the kernel").isTrue();
    }
  }

  @Test
  void theSyntheticDemoStillRunsAndRemovesItsPin(PinDir dir) throws Exception {
    String pin = dir.resolve("demo").toString();
    var r = Cli.run("quickstart", "--synthetic", "--duration", "6s", "--pin", pin, "--listen", "127.0.0.1:0");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("quickstart: running the synthetic demo: a map 'flows' pinned at " + pin,
        "quickstart: starting an embedded Kafka broker", "records acknowledged",
        "quickstart: the masked field 'secret' appears in no Kafka record and no metric",
        "quickstart: stopped; removed " + pin);
    Matcher kafka = Pattern.compile("quickstart: (\\d+) records in Kafka topic bpfmap.flows \\((\\d+) acknowledged\\)")
        .matcher(r.out());
    assertThat(kafka.find()).as(r.out()).isTrue();
    assertThat(Long.parseLong(kafka.group(1))).isPositive().isEqualTo(Long.parseLong(kafka.group(2)));
    Matcher series = Pattern.compile("quickstart: (\\d+) flows on /metrics").matcher(r.out());
    assertThat(series.find()).isTrue();
    assertThat(Integer.parseInt(series.group(1))).isBetween(1, 64);
    assertThat(Files.exists(dir.resolve("demo"))).isFalse();
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
