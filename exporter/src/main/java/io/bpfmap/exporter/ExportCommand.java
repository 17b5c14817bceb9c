package io.bpfmap.exporter;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

final class ExportCommand implements Callable<Integer> {
  static final Command.Opt CONFIG = Command.Opt.value("--config", "FILE.yaml",
      "The daemon's configuration (see the README).").asRequired();
  static final Command.Opt LOG_FORMAT = Command.Opt.value("--log-format", "FORMAT",
      "Every log line as text, json (one object a line) or logfmt.").orElse("text");
  static final Command COMMAND = new Command("export",
      "Run the export daemon: maps to Kafka, Prometheus and stdout, as the YAML config says.", List.of(CONFIG, LOG_FORMAT),
      List.of("", "SIGTERM or Ctrl-C stops polling, flushes Kafka and exits 0.", "", "Example:",
          "  bpfmap export --config /etc/bpfmap/bpfmap.yaml"), ExportCommand::new);

  private final Path config;

  private ExportCommand(Args a) {
    config = a.path(CONFIG);
    LogLayout.use(LogLayout.parse("--log-format", a.value(LOG_FORMAT)), a.verbose());
  }

  /** How /metrics is secured, for the start-up line: {@code  (https, client certificate, basic auth)}. */
  private static String secured(Config cfg) {
    var web = cfg.prometheus().web();
    List<String> how = new java.util.ArrayList<>();
    if (web.tls() != null) {
      how.add("https");
      if (web.tls().clientAuth() != io.bpfmap.metrics.WebConfig.ClientAuth.NO_CLIENT_CERT) {
        how.add("client certificate");
      }
    }
    if (!web.basicAuthUsers().isEmpty()) {
      how.add("basic auth");
    }
    return how.isEmpty() ? "" : " (" + String.join(", ", how) + ")";
  }

  @Override
  public Integer call() throws InterruptedException {
    Config cfg = Config.load(config);
    CountDownLatch stop = StopSignal.termOrInt();
    // not a static field: Main's table of commands loads this class for every command, and a one-shot
    // command must not start logback
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ExportCommand.class);
    try (Daemon daemon = new Daemon(cfg, true)) {
      daemon.start();
      LogLayout.showKafkaWarnings();
      log.atInfo().addKeyValue("maps", cfg.maps().size()).addKeyValue("rings", cfg.rings().size())
          .addKeyValue("metrics_port", daemon.metricsPort())
          .log("exporting {} map(s){}{}", cfg.maps().size(), cfg.rings().isEmpty() ? "" : " and "
              + cfg.rings().size() + " ring(s)", daemon.metricsPort() > 0 ? ", metrics on port " + daemon.metricsPort()
              + secured(cfg) : "");
      stop.await();
      log.info("stopping{}", cfg.kafka() != null ? ": flushing Kafka" : "");
    }
    log.info("stopped");
    return 0;
  }
}
