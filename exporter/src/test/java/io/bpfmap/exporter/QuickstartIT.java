package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's quickstart, as a newcomer runs it: records in Kafka, series on /metrics, no secret. */
@KernelTest
class QuickstartIT {
  @Test
  void quickstartRunsTheWholePipelineAndRemovesItsPin(PinDir dir) throws Exception {
    String pin = dir.resolve("demo").toString();
    var r = Cli.run("quickstart", "--duration", "8s", "--pin", pin, "--listen", "127.0.0.1:0");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("quickstart: starting an embedded Kafka broker", "records acknowledged",
        "quickstart: the masked field 'secret' appears in no Kafka record and no metric",
        "quickstart: stopped; removed " + pin);
    Matcher kafka = Pattern.compile("quickstart: (\\d+) records in Kafka topic bpfmap.flows \\((\\d+) acknowledged\\)").matcher(r.out());
    assertThat(kafka.find()).as(r.out()).isTrue();
    assertThat(Long.parseLong(kafka.group(1))).isPositive().isEqualTo(Long.parseLong(kafka.group(2)));
    Matcher series = Pattern.compile("quickstart: (\\d+) flows on /metrics").matcher(r.out());
    assertThat(series.find()).isTrue();
    assertThat(Integer.parseInt(series.group(1))).isBetween(1, 64);
    assertThat(Files.exists(dir.resolve("demo"))).isFalse();
  }
}
