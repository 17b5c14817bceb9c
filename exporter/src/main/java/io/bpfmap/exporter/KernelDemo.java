package io.bpfmap.exporter;

import io.bpfmap.core.MapSelector;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.stream.Mode;
import io.bpfmap.core.stream.PerCpuPolicy;
import io.bpfmap.metrics.MapMeters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quickstart on real kernel data: bpfmap's own program (resources/bpf/quickstart.bpf.c, shipped
 * built) loaded and attached by the daemon; its map 'syscalls' (system calls per process) exported
 * in CHANGES mode and its ring 'execs' (one event per exec) streamed, both to Kafka and /metrics.
 */
final class KernelDemo implements QuickstartCommand.Demo {
  private final Path object;

  KernelDemo() throws IOException {
    if (!Files.isDirectory(Path.of("/sys/kernel/tracing/events"))
        && !Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"))) {
      throw new CliException("bpfmap's program attaches to tracepoints, and tracefs is not mounted: mount -t tracefs "
          + "tracefs /sys/kernel/tracing (scripts/quickstart does), or run bpfmap quickstart --synthetic");
    }
    object = Files.createTempFile("bpfmap-quickstart", ".bpf.o");
    try (InputStream in = KernelDemo.class.getResourceAsStream("/bpf/quickstart.bpf.o")) {
      if (in == null) {
        throw new CliException("this bpfmap jar lacks bpf/quickstart.bpf.o: rebuild it (scripts/build-bpf, ./mvnw package)");
      }
      Files.write(object, in.readAllBytes());
    }
  }

  @Override
  public String which() {
    return "the kernel demo: bpfmap's program counts every process's system calls and reports each exec";
  }

  @Override
  public Config config(String bootstrap, Config.PromConfig prometheus) {
    SourceConfigs.ProgramConfig program = new SourceConfigs.ProgramConfig("quickstart", object, null, null,
        "programs[0]");
    Config.MapConfig syscalls = new Config.MapConfig("syscalls", MapSelector.name("quickstart/syscalls"), null, null,
        PermissionMask.readAll(), Mode.CHANGES, Duration.ofSeconds(1), 4096, PerCpuPolicy.SUM, Map.of(),
        List.of(new MapMeters.Metric("syscalls", MapMeters.Type.COUNTER, "System calls of the process")), List.of(), 10_000,
        false, "maps[0]");
    Config.MapConfig latency = new Config.MapConfig("syscall_latency", MapSelector.name("quickstart/syscall_latency"),
        null, null, PermissionMask.readAll(), Mode.SNAPSHOT, Duration.ofSeconds(1), 4096, PerCpuPolicy.SUM, Map.of(),
        List.of(), List.of(new HistogramConfigs.HistogramConfig("seconds", null, null, null, null,
            io.bpfmap.metrics.HistogramBuckets.of(io.bpfmap.metrics.HistogramBuckets.Kind.EXP2, 0, 26, 1e-6),
            "How long system calls take, from raw_syscalls/sys_enter to sys_exit", "maps[1].histograms[0]")), 10_000,
        false, "maps[1]");
    Map<String, io.bpfmap.metrics.LabelDecoder> labels = new LinkedHashMap<>();
    labels.put("comm", null);
    SourceConfigs.RingConfig execs = new SourceConfigs.RingConfig("execs", MapSelector.name("quickstart/execs"), null,
        "struct exec_event", PermissionMask.of(Map.of("*", "R", "uid", "X")), "quickstart/execs_lost", 64, labels,
        10_000, "rings[0]");
    return QuickstartCommand.config(List.of(program), List.of(syscalls, latency), List.of(execs), bootstrap, prometheus);
  }

  @Override
  public List<String> started(Daemon daemon, String bootstrap) {
    return List.of("exporting map 'syscalls' in CHANGES mode to Kafka " + bootstrap + " topic bpfmap.syscalls, and ring 'execs' "
            + "to topic bpfmap.execs; map 'syscall_latency' as a histogram on /metrics",
        "field 'uid' of the exec events is masked X: it must reach no sink",
        "run any command in another shell to see its exec event");
  }

  @Override
  public String progress(Daemon daemon, long readPerSecond) {
    Pipeline map = daemon.pipelines().get(0);
    Pipeline ring = daemon.pipelines().get(2);
    long execs = ring.stats() == null ? 0 : ring.stats().eventsEmitted();
    return readPerSecond + " entries read/s | " + execs + " execs | "
        + (map.acknowledged() + ring.acknowledged()) + " records acknowledged | lag "
        + (map.inFlight() + ring.inFlight()) + " records";
  }

  @Override
  public List<String> report(String bootstrap, Daemon daemon, String metrics) {
    String self = "\"pid\":" + ProcessHandle.current().pid() + ",";
    QuickstartCommand.Topic syscalls = QuickstartCommand.Topic.read(bootstrap, "bpfmap.syscalls", r -> r.key().contains(self));
    QuickstartCommand.Topic execs = QuickstartCommand.Topic.read(bootstrap, "bpfmap.execs", r -> true);
    long processes = metrics.lines().filter(l -> l.startsWith("bpfmap_syscalls_syscalls_total{")).count();
    boolean leaked = execs.kept().stream().anyMatch(r -> !r.value().contains("\"uid\":null"));
    return List.of(syscalls.records() + " records in Kafka topic bpfmap.syscalls, " + syscalls.kept().size()
            + " of them about this quickstart's own pid " + ProcessHandle.current().pid(),
        execs.records() + " exec events in Kafka topic bpfmap.execs" + (execs.kept().isEmpty() ? ""
            : "; the last: " + execs.kept().getLast().value()),
        processes + " processes on /metrics as bpfmap_syscalls_syscalls_total; execs counted by command as "
            + "bpfmap_execs_events_total",
        latency(metrics),
        "the masked field 'uid' appears in " + (leaked ? "KAFKA RECORDS" : "no Kafka record") + " and "
            + (metrics.contains("uid=") ? "THE METRICS" : "no metric"));
  }

  /** The system calls' latency histogram as /metrics shows it: how many, and their median. */
  private static String latency(String metrics) {
    java.util.regex.Matcher count = java.util.regex.Pattern.compile(
        "(?m)^bpfmap_syscall_latency_seconds_count (\\d+)").matcher(metrics);
    return (count.find() ? count.group(1) : "no") + " system calls timed on /metrics as the histogram "
        + "bpfmap_syscall_latency_seconds (histogram_quantile(0.5, bpfmap_syscall_latency_seconds_bucket) in PromQL)";
  }

  @Override
  public String close() throws IOException {
    Files.deleteIfExists(object);
    return "detached the program";
  }
}
