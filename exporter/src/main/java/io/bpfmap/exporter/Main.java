package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code bpfmap} command. Errors are one line and exit code 2; {@code --verbose} adds the trace. */
@Command(name = "bpfmap", mixinStandardHelpOptions = true, version = "bpfmap 0.1.0",
    description = "Read, write and stream Linux eBPF maps (to Kafka, Prometheus, stdout).",
    subcommands = {CreateCommand.class, LoadCommand.class, MapsCommand.class, InfoCommand.class, UpdateCommand.class, LookupCommand.class,
        DeleteCommand.class, DumpCommand.class, ExportCommand.class, QuickstartCommand.class,
        CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  bpfmap maps", "  bpfmap dump name:flows", "  bpfmap info /sys/fs/bpf/flows",
        "  bpfmap dump /sys/fs/bpf/flows --key-layout '[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]' --value-layout '=8Q'",
        "  bpfmap export --config bpfmap.yaml", "  bpfmap quickstart --duration 20s"})
public final class Main implements Runnable {
  /** Exit code of a bad input (config, layout, mask, pin, permission, missing library). */
  static final int BAD_INPUT = 2;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    cl.setExpandAtFiles(false); // @file is ours: layouts and masks read from files
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      boolean known = ex instanceof BpfException || ex instanceof CliException;
      line.getErr().println("bpfmap: " + (known ? ex.getMessage() : ex.getClass().getSimpleName() + ": " + ex.getMessage()));
      if (main.verbose || !known) {
        ex.printStackTrace(line.getErr());
      }
      return BAD_INPUT;
    });
    cl.setParameterExceptionHandler((ex, args1) -> {
      ex.getCommandLine().getErr().println("bpfmap: " + ex.getMessage() + " (see: bpfmap "
          + ex.getCommandLine().getCommandName().replace("bpfmap", "").strip() + " --help)");
      return BAD_INPUT;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
