package io.bpfmap.exporter;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

final class ExportCommand implements Callable<Integer> {
  static final Command.Opt CONFIG = Command.Opt.value("--config", "FILE.yaml",
      "The daemon's configuration (see the README).").asRequired();
  static final Command COMMAND = new Command("export",
      "Run the export daemon: maps to Kafka, Prometheus and stdout, as the YAML config says.", List.of(CONFIG),
      List.of("", "SIGTERM or Ctrl-C stops polling, flushes Kafka and exits 0.", "", "Example:",
          "  bpfmap export --config /etc/bpfmap/bpfmap.yaml"), ExportCommand::new);

  private final Path config;

  private ExportCommand(Args a) {
    config = a.path(CONFIG);
  }

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
