package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import io.bpfmap.core.BpfMap;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Checks a daemon config without exporting: the file itself, then each map it names, opened as the
 * daemon opens it, with its layouts (given or from BTF) checked against the map and against the
 * mask, labels and metrics. One line per map; exit 2 when the config or any map fails.
 */
final class CheckCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("check",
      "Check a daemon config, its programs, maps and rings, without exporting: one line each, exit 2 on any error.",
      List.of(ExportCommand.CONFIG), List.of("", "Example:", "  bpfmap check --config /etc/bpfmap/bpfmap.yaml"),
      CheckCommand::new);

  private final Path config;

  private CheckCommand(Args a) {
    config = a.path(ExportCommand.CONFIG);
  }

  @Override
  public Integer call() {
    Config cfg = Config.load(config);
    int failed = 0;
    int checked = 0;
    LoadedPrograms programs;
    try {
      programs = LoadedPrograms.verify(cfg.programs());
    } catch (BpfException | CliException e) {
      System.err.println("bpfmap: " + config + ": " + e.getMessage());
      return Main.BAD_INPUT;
    }
    try (programs) {
      for (SourceConfigs.ProgramConfig p : cfg.programs()) {
        System.out.println(p.at() + " '" + p.name() + "': " + programs.said(p.name()));
      }
      System.out.flush();
      for (Config.MapConfig m : cfg.maps()) {
        failed += line(m.at() + " '" + m.name() + "' (" + m.selector() + ")", m.at(),
            () -> check(m.withSelector(programs.resolve(m.selector(), m.at() + ".kernel-name"))));
        checked++;
      }
      java.util.Map<Integer, String> rings = new java.util.HashMap<>();
      for (SourceConfigs.RingConfig r : cfg.rings()) {
        failed += line(r.at() + " '" + r.name() + "' (" + r.selector() + ")", r.at(), () -> check(r, programs, rings));
        checked++;
      }
    }
    if (failed > 0) {
      System.err.println("bpfmap: " + config + ": " + failed + " of " + checked + " maps and rings failed the check");
      return Main.BAD_INPUT;
    }
    System.out.println(config + ": ok, " + count(cfg.programs().size(), "program") + ", "
        + count(cfg.maps().size(), "map") + ", " + count(cfg.rings().size(), "ring"));
    return 0;
  }

  static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** One line on stdout, or the error on stderr: 1 when it failed. */
  private static int line(String what, String at, java.util.function.Supplier<String> check) {
    try {
      System.out.println(what + ": " + check.get());
      System.out.flush(); // in order with the errors on stderr
      return 0;
    } catch (BpfException | CliException e) {
      System.err.println("bpfmap: " + (e.getMessage().startsWith(at) ? "" : what + ": ") + e.getMessage());
      return 1;
    }
  }

  /** What the daemon would stream: the ring, its layout and labels; throws what it would say. */
  private static String check(SourceConfigs.RingConfig r, LoadedPrograms programs,
      java.util.Map<Integer, String> claimed) {
    try (BpfMap ring = RingPipeline.open(r, programs);
        BpfMap lost = r.lostCounter() == null ? null : programs.resolve(io.bpfmap.core.MapSelector.name(r.lostCounter()),
            r.at() + ".lost-counter").open(OpenMode.READ_ONLY)) {
      RecordLayout layout = r.value() != null ? r.value() : programs.layout(ring, r.valueType(), r.at() + ".value");
      io.bpfmap.core.stream.EventStream stream;
      try {
        r.mask().compile(layout);
        io.bpfmap.core.stream.EventStream.Builder b = io.bpfmap.core.stream.EventStream.builder(ring).name(r.name())
            .valueLayout(layout).mask(r.mask());
        if (lost != null) {
          b.lostCounter(lost);
        }
        stream = b.build();
      } catch (BpfException e) {
        throw new CliException(r.at() + ": " + e.getMessage(), e);
      }
      io.bpfmap.metrics.RingMeters.Builder m = io.bpfmap.metrics.RingMeters.builder(stream);
      r.labels().forEach(m::label);
      try {
        m.build();
      } catch (IllegalArgumentException e) {
        throw new CliException(r.at() + ".labels: " + e.getMessage(), e);
      }
      RingPipeline.claim(ring, r, claimed);
      return "ok, id " + ring.info().id() + ", " + ring.info().type().name().toLowerCase(java.util.Locale.ROOT)
          + ", events " + layout.size() + " B " + (r.value() != null ? "(config)" : "(BTF " + r.valueType() + ")");
    }
  }

  /** What the daemon would read: the map and its layouts; throws what it would say. */
  private static String check(Config.MapConfig m) {
    try (BpfMap map = m.selector().open(m.mode() == Mode.DRAIN ? OpenMode.READ_WRITE : OpenMode.READ_ONLY)) {
      ParsedMap layouts = m.parse(map);
      m.check(layouts.keyLayout(), layouts.valueLayout(), m.at());
      return "ok, id " + map.info().id() + ", " + map.info().type().name().toLowerCase(java.util.Locale.ROOT)
          + ", key " + describe(layouts.keyLayout(), m.key()) + ", value " + describe(layouts.valueLayout(), m.value());
    }
  }

  private static String describe(RecordLayout used, RecordLayout given) {
    return used.size() + " B " + (given != null ? "(config)" : "(BTF)");
  }
}
