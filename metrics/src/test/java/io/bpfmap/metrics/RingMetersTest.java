package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfObject;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.stream.EventStream;
import io.bpfmap.core.testing.Await;
import io.bpfmap.core.testing.BpfPrograms;
import io.bpfmap.core.testing.KernelTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A real program's ring events counted by label fields and scraped over HTTP. */
@KernelTest
class RingMetersTest {
  private static final PermissionMask HIDE_SECRET = PermissionMask.parse("{\"*\": \"R\", \"secret\": \"X\"}");

  @Test
  void everyEventIsCountedByItsLabelsAndTheLossIsShown() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream stream = EventStream.builder(obj.map("events")).name("execs").valueLayout(obj.layout("struct event"))
            .mask(HIDE_SECRET).lostCounter(obj.map("ring_lost")).build();
        MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), registry);
        RingMeters meters = RingMeters.builder(stream).label("tag", null).build()) {
      meters.bindTo(registry);
      obj.program("ring_emit").testRun(new byte[64], 3000);
      Await.until(() -> stream.stats().eventsEmitted() >= 3000);
      String text = FlowMap.get(server.port(), "/metrics", null).body();
      assertThat(text).contains("bpfmap_execs_events_total{map=\"execs\",tag=\"event\"} 3000.0");
      assertThat(text).contains("bpfmap_events_lost_total{map=\"execs\"} 0.0");
      assertThat(text).contains("# TYPE bpfmap_execs_events_total counter");
      // without a reader between, the 256 KiB ring holds 8191 of 20 000 records; the program counts the rest
      stream.close();
      obj.program("ring_emit").testRun(new byte[64], 20_000);
      Await.until(() -> registry.scrape().contains("bpfmap_events_lost_total{map=\"execs\"} " + (20_000.0 - 8191)));
      assertThat(FlowMap.get(server.port(), "/metrics", null).body())
          .contains("bpfmap_events_lost_total{map=\"execs\"} " + (20_000.0 - 8191));
    }
  }

  @Test
  void aLabelMustBeAVisibleFieldOfTheEvents() {
    try (BpfObject obj = BpfObject.open(BpfPrograms.compile("events"));
        EventStream stream = EventStream.builder(obj.map("events")).name("execs").valueLayout(obj.layout("struct event"))
            .mask(HIDE_SECRET).build()) {
      assertThatThrownBy(() -> RingMeters.builder(stream).label("secret", null).build())
          .hasMessage("label field 'secret' of ring 'execs' is hidden by its mask");
      assertThatThrownBy(() -> RingMeters.builder(stream).label("comm", null).build())
          .hasMessage("label field 'comm' is not a field of ring 'execs' (it has seq, cpu, secret, tag)");
      assertThatThrownBy(() -> RingMeters.builder(stream).label("cpu", LabelDecoder.of("ipv6")).build())
          .hasMessage("label field 'cpu' of ring 'execs': ipv6 needs a 16-byte field, got 4 bytes");
    }
  }
}
