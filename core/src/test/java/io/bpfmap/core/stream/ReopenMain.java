package io.bpfmap.core.stream;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSelector;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.record.RecordLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import reactor.core.Disposable;

/**
 * Run in a child JVM with {@code -XX:NativeMemoryTracking=summary} (by {@link SupervisorMemoryTest}):
 * a per-CPU map at a pin is replaced {@code args[1]} times while a supervisor exports it with
 * 16 384-entry batches; prints the native memory NMT counts as "Other" (where arenas allocate)
 * after a warm-up and at the end: {@code other_kb <start> <end>}.
 */
public final class ReopenMain {
  private static final RecordLayout KEY = RecordLayout.parse("=QQ");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"data\",\"8Q\"]]");
  private static final Pattern OTHER = Pattern.compile("Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

  private ReopenMain() {}

  public static void main(String[] args) throws Exception {
    Path pin = Path.of(args[0]);
    int reopens = Integer.parseInt(args[1]);
    try (BpfMap first = filled()) {
      first.pin(pin);
    }
    long[] cycles = new long[1];
    MapSupervisor sup = MapSupervisor.builder("reopen", MapSelector.pin(pin))
        .follow(Duration.ofMillis(20)).backoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .stream(m -> MapStream.builder(m).keyLayout(KEY).valueLayout(VALUE).batchSize(16_384)
            .interval(Duration.ofMillis(20)).build())
        .attach(s -> new MapSupervisor.Attachment() {
          final Disposable sub = s.events().subscribe(e -> {
            if (e.kind() == MapEvent.Kind.CYCLE_END) {
              synchronized (cycles) {
                cycles[0]++;
              }
            }
          });

          @Override
          public void stopTaking() {
            sub.dispose();
          }

          @Override
          public void close() {}
        })
        .build();
    sup.start();
    long start = 0;
    for (int i = 0; i < reopens + 3; i++) {
      if (i == 3) {
        start = otherKb();
      }
      try (BpfMap next = filled()) {
        Files.delete(pin);
        next.pin(pin);
        int id = next.info().id();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long before;
        synchronized (cycles) {
          before = cycles[0];
        }
        while (System.nanoTime() < deadline) {
          long now;
          synchronized (cycles) {
            now = cycles[0];
          }
          if (sup.status().mapId() == id && sup.status().state() == MapSupervisor.State.UP && now > before + 1) {
            break;
          }
          Thread.sleep(5);
        }
        if (sup.status().mapId() != id) {
          throw new IllegalStateException("the supervisor did not follow map id " + id + ": " + sup.status());
        }
      }
    }
    long end = otherKb();
    sup.close();
    Files.deleteIfExists(pin);
    System.out.println("other_kb " + start + " " + end);
  }

  private static BpfMap filled() {
    BpfMap m = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "reopen", 16, 64, 1024));
    var parsed = m.parsed(KEY, VALUE);
    for (long i = 0; i < 100; i++) {
      parsed.update(Map.of("f0", i, "f1", i), Map.of("data", List.of(i, i, i, i, i, i, i, i)));
    }
    return m;
  }

  private static long otherKb() throws Exception {
    System.gc();
    String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
        new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
    Matcher m = OTHER.matcher(summary);
    if (!m.find()) {
      throw new IllegalStateException("no Other line in NMT's summary: " + summary);
    }
    return Long.parseLong(m.group(1));
  }
}
