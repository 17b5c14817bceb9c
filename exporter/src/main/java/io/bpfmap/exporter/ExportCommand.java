package io.bpfmap.exporter;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "export", mixinStandardHelpOptions = true, description = "Run the export daemon: maps to Kafka, Prometheus and stdout, as the YAML config says.",
    footer = {"", "SIGTERM or Ctrl-C stops polling, flushes Kafka and exits 0.", "", "Example:",
        "  bpfmap export --config /etc/bpfmap/bpfmap.yaml"})
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE.yaml", description = "The daemon's configuration (see the README).")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    Config cfg = Config.load(config);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try (Daemon daemon = new Daemon(cfg, System.err)) {
      daemon.start();
      System.err.println("bpfmap: exporting " + cfg.maps().size() + " map(s)"
          + (daemon.metricsPort() > 0 ? ", metrics on port " + daemon.metricsPort() : ""));
      stop.await();
      System.err.println("bpfmap: stopping" + (cfg.kafka() != null ? ": flushing Kafka" : ""));
    }
    System.err.println("bpfmap: stopped");
    return 0;
  }
}
