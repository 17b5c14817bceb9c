package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.kafka.broker.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon ({@code bin/bpfmap export}, a child process under Native Memory Tracking) on a
 * 100 000-entry map that changes all the time (1 000 values and 100 keys deleted and re-created
 * every 100 ms), exported in CHANGES mode to an embedded Kafka broker and as 100 000 series to
 * /metrics, which a real Prometheus server scrapes every 15 s. The daemon's heap is fixed (512 MB,
 * touched at start), so RSS moves only with what it keeps. Every 30 s: the heap after a full GC,
 * RSS, the memory NMT counts outside the Java heap (and its "Other", where arenas allocate), and the
 * threads. After a warm-up (a fifth of the run), it
 * reports per figure its start and end, its spread, and its growth per hour (least squares); the
 * ratio is end over start. {@code BPFMAP_SOAK_MINUTES} sets the length (default 10).
 */
final class SoakBench {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"secret\",\"Q\"]]");
  private static final int ENTRIES = 100_000;
  private static final Duration EVERY = Duration.ofSeconds(30);
  private static final Pattern HEAP = Pattern.compile("Total\\s+\\d+\\s+(\\d+)");
  private static final Pattern NMT = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
  private static final Pattern OTHER = Pattern.compile("Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
  private static final Pattern JAVA_HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

  private SoakBench() {}

  /** One sample of the daemon, with its class histogram (instances and bytes per class). */
  private record Sample(double seconds, double heapMb, double rssMb, double nativeMb, double otherMb, double threads,
      Map<String, long[]> classes) {}

  private static final Pattern CLASS_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

  static void run() {
    String env = System.getenv("BPFMAP_SOAK_MINUTES");
    int minutes = env == null ? 10 : Integer.parseInt(env);
    Path pin = Path.of("/sys/fs/bpf/bpfmap-bench-soak-" + ProcessHandle.current().pid());
    Path dir = null;
    Process daemon = null;
    Process prometheus = null;
    Thread writer = null;
    try {
      dir = Files.createTempDirectory("bpfmap-bench-soak");
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
          BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "soak", KEY.size(), VALUE.size(), 131_072))) {
        ParsedMap parsed = map.parsed(KEY, VALUE);
        for (int i = 0; i < ENTRIES; i++) {
          parsed.update(key(i), value(i, 0));
        }
        map.pin(pin);
        int port = freePort();
        Path cfg = Files.writeString(dir.resolve("bpfmap.yaml"), """
            node: soak
            status-interval: 1h
            maps:
              - name: soak
                pin: %s
                key: [[saddr, I], [daddr, I], [sport, H], [dport, H]]
                value: [[packets, Q], [bytes, Q], [secret, Q]]
                mask: {packets: R, bytes: R}
                mode: changes
                max-series: 200000
                labels: {saddr: ipv4, daddr: ipv4}
                metrics: [{field: packets, type: counter}]
            sinks:
              kafka: {bootstrap-servers: "%s"}
              prometheus: {listen: "127.0.0.1:%d"}
            """.formatted(pin, kafka.bootstrapServers(), port));
        ProcessBuilder pb = new ProcessBuilder("bin/bpfmap", "export", "--config", cfg.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
        // A fixed, pre-touched heap: RSS then moves only with what the daemon keeps, not with G1's sizing.
        pb.environment().put("BPFMAP_JAVA_OPTS",
            "-XX:NativeMemoryTracking=summary -Xms512m -Xmx512m -XX:+AlwaysPreTouch");
        daemon = pb.start();
        await(port);
        prometheus = prometheus(dir, port);
        writer = Thread.ofPlatform().daemon().start(() -> churn(parsed));
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + Duration.ofMinutes(minutes).toNanos();
        while (System.nanoTime() < end && daemon.isAlive()) {
          Thread.sleep(EVERY.toMillis());
          samples.add(sample(daemon.pid(), (System.nanoTime() - start) / 1e9));
        }
        if (!daemon.isAlive()) {
          throw new IllegalStateException("the daemon exited: " + Files.readString(dir.resolve("daemon.log")));
        }
        writer.interrupt();
        writer.join();
        String scraped = get(port, "/metrics");
        List<Sample> steady = samples.subList(samples.size() / 5, samples.size());
        String name = "soak." + minutes + "m";
        report(name + ".heap", "mb", steady, Sample::heapMb);
        report(name + ".rss", "mb", steady, Sample::rssMb);
        report(name + ".native", "mb", steady, Sample::nativeMb);
        report(name + ".native_other", "mb", steady, Sample::otherMb);
        report(name + ".threads", "n", steady, Sample::threads);
        grown(steady.getFirst(), steady.getLast());
        System.out.println("BENCH " + name + ".export samples=" + samples.size() + " records_sent="
            + figure(scraped, "bpfmap_kafka_records_sent_total{map=\"soak\"}") + " series="
            + scraped.lines().filter(l -> l.startsWith("bpfmap_soak_packets_total{")).count()
            + " prometheus=" + (prometheus != null ? "server" : "self-scrape") + " ratio=1.00");
      }
    } catch (Exception e) {
      throw new IllegalStateException("soak benchmark failed: " + e.getMessage(), e);
    } finally {
      if (writer != null) {
        writer.interrupt();
      }
      stop(daemon);
      stop(prometheus);
      try {
        Files.deleteIfExists(pin);
      } catch (IOException ignored) {
        // best effort
      }
      KafkaBench.delete(dir);
    }
  }

  /** Changes 1 000 values and deletes and re-creates 100 keys every 100 ms. */
  private static void churn(ParsedMap parsed) {
    Random r = new Random(7);
    try {
      for (long n = 1; !Thread.currentThread().isInterrupted(); n++) {
        for (int i = 0; i < 1000; i++) {
          int k = r.nextInt(ENTRIES);
          parsed.update(key(k), value(k, n));
        }
        for (int i = 0; i < 100; i++) {
          int k = r.nextInt(ENTRIES);
          parsed.delete(key(k));
          parsed.update(key(k), value(k, n));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    } catch (io.bpfmap.core.BpfException closed) {
      // the run is over and the map closed under the writer
    }
  }

  private static Map<String, Object> key(int i) {
    return Map.of("saddr", 0x0A000000L + i, "daddr", 0xC0A80001L, "sport", i % 65536, "dport", 443);
  }

  private static Map<String, Object> value(int i, long n) {
    return Map.of("packets", n * 10 + i % 10, "bytes", n * 1500, "secret", 42L);
  }

  /** A real Prometheus server scraping the daemon every 15 s, when one is installed; else null. */
  private static Process prometheus(Path dir, int port) throws Exception {
    if (new ProcessBuilder("sh", "-c", "command -v prometheus").start().waitFor() != 0) {
      System.err.println("soak: no prometheus binary (apt-get install prometheus): scraping /metrics from here");
      Thread.ofPlatform().daemon().start(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          get(port, "/metrics");
          try {
            Thread.sleep(15_000);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      return null;
    }
    Path yml = Files.writeString(dir.resolve("prometheus.yml"), """
        global: {scrape_interval: 15s}
        scrape_configs:
          - job_name: bpfmap
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(port));
    return new ProcessBuilder("prometheus", "--config.file=" + yml, "--storage.tsdb.path=" + dir.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + freePort()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  private static Sample sample(long pid, double seconds) throws Exception {
    String histogram = jcmd(pid, "GC.class_histogram");
    String nmt = jcmd(pid, "VM.native_memory", "summary");
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    Map<String, long[]> classes = new java.util.HashMap<>();
    Matcher c = CLASS_LINE.matcher(histogram);
    while (c.find()) {
      classes.put(c.group(3), new long[] {Long.parseLong(c.group(1)), Long.parseLong(c.group(2))});
    }
    return new Sample(seconds, mb(HEAP, histogram, 1.0 / (1 << 20)), status(status, "VmRSS") / 1024,
        mb(NMT, nmt, 1.0 / 1024) - mb(JAVA_HEAP, nmt, 1.0 / 1024), mb(OTHER, nmt, 1.0 / 1024), status(status, "Threads"),
        classes);
  }

  private static double mb(Pattern p, String text, double scale) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no " + p + " in: " + text);
    }
    return Long.parseLong(m.group(1)) * scale;
  }

  /** A number field of /proc/PID/status (VmRSS in KB, Threads). */
  private static double status(String status, String field) {
    Matcher m = Pattern.compile("^" + field + ":\\s+(\\d+)", Pattern.MULTILINE).matcher(status);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " in /proc status");
    }
    return Long.parseLong(m.group(1));
  }

  private static String jcmd(long pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid)));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " did not finish");
    }
    return out;
  }

  /** {@code BENCH name start_<u>=… end_<u>=… min_<u>=… max_<u>=… <u>_per_h=… ratio=end/start}. */
  private static void report(String name, String unit, List<Sample> samples, ToDoubleFunction<Sample> f) {
    double first = f.applyAsDouble(samples.getFirst());
    double last = f.applyAsDouble(samples.getLast());
    double min = samples.stream().mapToDouble(f).min().orElseThrow();
    double max = samples.stream().mapToDouble(f).max().orElseThrow();
    System.out.println(String.format(Locale.ROOT, "BENCH %s start_%s=%.1f end_%s=%.1f min_%s=%.1f max_%s=%.1f %s_per_h=%+.1f ratio=%.2f",
        name, unit, first, unit, last, unit, min, unit, max, unit, slopePerHour(samples, f), last / first));
  }

  /** Says which classes gained the most bytes on the heap between two samples (where growth is). */
  private static void grown(Sample from, Sample to) {
    List<String> top = to.classes().entrySet().stream()
        .map(e -> Map.entry(e.getKey(), new long[] {
            e.getValue()[0] - from.classes().getOrDefault(e.getKey(), new long[2])[0],
            e.getValue()[1] - from.classes().getOrDefault(e.getKey(), new long[2])[1]}))
        .filter(e -> e.getValue()[1] > 0)
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(8)
        .map(e -> e.getKey() + " +" + e.getValue()[0] + " (" + e.getValue()[1] / 1024 + " KB)").toList();
    System.err.println("soak: heap growth by class over the steady part: " + top);
  }

  /** Least-squares slope of the figure over time, per hour. */
  private static double slopePerHour(List<Sample> samples, ToDoubleFunction<Sample> f) {
    double n = samples.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : samples) {
      double x = s.seconds();
      double y = f.applyAsDouble(s);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double d = n * sxx - sx * sx;
    return d == 0 ? 0 : (n * sxy - sx * sy) / d * 3600;
  }

  private static String figure(String scraped, String series) {
    return scraped.lines().filter(l -> l.startsWith(series)).map(l -> l.substring(series.length()).strip())
        .findFirst().orElse("?");
  }

  private static void await(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!get(port, "/metrics").contains("bpfmap_soak_packets_total{") && System.nanoTime() < deadline) {
      Thread.sleep(500);
    }
  }

  private static String get(int port, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void stop(Process p) {
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
