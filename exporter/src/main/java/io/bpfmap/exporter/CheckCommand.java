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
      "Check a daemon config and the maps it names, without exporting: one line per map, exit 2 on any error.",
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
    for (int i = 0; i < cfg.maps().size(); i++) {
      Config.MapConfig m = cfg.maps().get(i);
      String at = "maps[" + i + "] '" + m.name() + "' (" + m.selector() + ")";
      try {
        System.out.println(at + ": " + check(m));
        System.out.flush(); // in order with the errors on stderr
      } catch (BpfException | CliException e) {
        System.err.println("bpfmap: " + (e.getMessage().startsWith(m.at()) ? "" : at + ": ") + e.getMessage());
        failed++;
      }
    }
    if (failed > 0) {
      System.err.println("bpfmap: " + config + ": " + failed + " of " + cfg.maps().size() + " maps failed the check");
      return Main.BAD_INPUT;
    }
    System.out.println(config + ": ok, " + cfg.maps().size() + " maps");
    return 0;
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
