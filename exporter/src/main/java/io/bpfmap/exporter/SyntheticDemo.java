package io.bpfmap.exporter;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.Bpffs;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.metrics.LabelDecoder;
import io.bpfmap.metrics.MapMeters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The quickstart for kernels that refuse to load programs ({@code --synthetic}): a map 'flows'
 * made and pinned here, fed from Java with flows whose counters grow, and a hidden field.
 */
final class SyntheticDemo implements QuickstartCommand.Demo {
  static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  /** What the demo writes into the hidden field: it must appear in no record and no series. */
  static final long SECRET = 8_675_309_123_456_789L;
  private static final int FLOWS = 64;

  private final Path pin;
  private final BpfMap map;
  private final Writer writer;
  private final Thread writing;

  SyntheticDemo(Path pin) throws IOException {
    if (Bpffs.mountPointOf(pin) == null) {
      throw new CliException("--pin " + pin + ": not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf)");
    }
    Files.deleteIfExists(pin);
    this.pin = pin;
    this.map = BpfMap.create(MapSpec.of(MapType.HASH, "flows", KEY.size(), VALUE.size(), 1024));
    try {
      map.pin(pin);
    } catch (RuntimeException e) {
      map.close();
      throw e;
    }
    this.writer = new Writer(map.parsed(KEY, VALUE));
    this.writing = Thread.ofPlatform().daemon().name("quickstart-writer").start(writer);
  }

  @Override
  public String which() {
    return "the synthetic demo: a map 'flows' pinned at " + pin + ", fed from Java";
  }

  @Override
  public Config config(String bootstrap, Config.PromConfig prometheus) {
    Config.MapConfig flows = new Config.MapConfig("flows", io.bpfmap.core.MapSelector.pin(pin), KEY, VALUE,
        PermissionMask.of(Map.of("packets", "R", "bytes", "R")), Mode.CHANGES, Duration.ofSeconds(1), 4096,
        PerCpuPolicy.SUM, Map.of("saddr", LabelDecoder.of("ipv4"), "daddr", LabelDecoder.of("ipv4")),
        List.of(new MapMeters.Metric("packets", MapMeters.Type.COUNTER, "Packets of the demo flow"),
            new MapMeters.Metric("bytes", MapMeters.Type.COUNTER, "Bytes of the demo flow")), List.of(), 10_000, false,
        "quickstart");
    return QuickstartCommand.config(List.of(), List.of(flows), List.of(), bootstrap, prometheus);
  }

  @Override
  public List<String> started(Daemon daemon, String bootstrap) {
    return List.of("exporting map 'flows' in CHANGES mode to Kafka " + bootstrap + " topic bpfmap.flows",
        "field 'secret' is masked X: it must reach no sink");
  }

  @Override
  public String progress(Daemon daemon, long readPerSecond) {
    Pipeline p = daemon.pipelines().getFirst();
    return writer.flows() + " flows | " + readPerSecond + " entries read/s | " + p.acknowledged()
        + " records acknowledged | lag " + p.inFlight() + " records";
  }

  @Override
  public List<String> report(String bootstrap, Daemon daemon, String metrics) {
    String secret = Long.toString(SECRET);
    QuickstartCommand.Topic flows = QuickstartCommand.Topic.read(bootstrap, "bpfmap.flows", r -> r.value().contains(secret));
    long series = metrics.lines().filter(l -> l.startsWith("bpfmap_flows_packets_total{")).count();
    boolean leaked = !flows.kept().isEmpty();
    return List.of(flows.records() + " records in Kafka topic bpfmap.flows ("
            + daemon.pipelines().getFirst().acknowledged() + " acknowledged)",
        series + " flows on /metrics as bpfmap_flows_packets_total and bpfmap_flows_bytes_total",
        "the masked field 'secret' appears in " + (leaked ? "KAFKA RECORDS" : "no Kafka record") + " and "
            + (metrics.contains(secret) || metrics.contains("secret") ? "THE METRICS" : "no metric"));
  }

  @Override
  public String close() throws IOException, InterruptedException {
    writer.stop();
    writing.join();
    map.close();
    Files.deleteIfExists(pin);
    return "removed " + pin;
  }

  /** Feeds the demo map: flows between 10.0.0.x and 192.168.0.1:443 whose counters grow. */
  private static final class Writer implements Runnable {
    private final ParsedMap map;
    private final Random random = new Random(42);
    private final long[] packets = new long[FLOWS];
    private final long[] bytes = new long[FLOWS];
    private volatile boolean stopped;
    private volatile int flows;

    Writer(ParsedMap map) {
      this.map = map;
    }

    @Override
    public void run() {
      while (!stopped) {
        int grown = Math.min(FLOWS, flows + 4);
        for (int i = 0; i < grown; i++) {
          if (i >= flows || random.nextInt(4) == 0) {
            packets[i] += 1 + random.nextInt(10);
            bytes[i] += 64 + random.nextInt(1400);
            map.update(Map.of("saddr", ipv4(10, 0, 0, i + 1), "daddr", ipv4(192, 168, 0, 1), "sport", 40_000 + i, "dport", 443),
                Map.of("packets", packets[i], "bytes", bytes[i], "secret", SECRET));
          }
        }
        flows = grown;
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The number an 'I' field holds when its bytes in memory are a.b.c.d (network order). */
    private static long ipv4(int a, int b, int c, int d) {
      return java.nio.ByteBuffer.wrap(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d})
          .order(java.nio.ByteOrder.nativeOrder()).getInt() & 0xFFFF_FFFFL;
    }

    int flows() {
      return flows;
    }

    void stop() {
      stopped = true;
    }
  }
}
