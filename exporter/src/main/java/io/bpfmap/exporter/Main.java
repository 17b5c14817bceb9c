package io.bpfmap.exporter;

import io.bpfmap.core.BpfException;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code bpfmap} command. Errors are one line and exit code 2; {@code --verbose} adds the trace. */
public final class Main {
  /** Exit code of a bad input (config, layout, mask, pin, permission, missing library). */
  static final int BAD_INPUT = 2;
  /** The version the jar's manifest gives (the pom's), "bpfmap dev" outside a jar. */
  static final String VERSION = "bpfmap " + java.util.Objects.requireNonNullElse(Main.class.getPackage()
      .getImplementationVersion(), "dev");

  /** The subcommands, in the order of the help text. */
  private static final Map<String, Command> COMMANDS = byName(CreateCommand.COMMAND, LoadCommand.COMMAND,
      MapsCommand.COMMAND, InfoCommand.COMMAND, UpdateCommand.COMMAND, LookupCommand.COMMAND, DeleteCommand.COMMAND,
      DumpCommand.COMMAND, ExportCommand.COMMAND, CheckCommand.COMMAND, RetireCommand.COMMAND, FleetCommand.COMMAND,
      QuickstartCommand.COMMAND,
      CompletionCommand.COMMAND);

  /** The long-running commands: they stop through System.exit, which runs shutdown hooks. */
  private static final List<String> DAEMONS = List.of("export", "fleet", "quickstart");

  private static final List<String> FOOTER = List.of("", "Examples:", "  bpfmap maps", "  bpfmap dump name:flows",
      "  bpfmap info /sys/fs/bpf/flows",
      "  bpfmap dump /sys/fs/bpf/flows --key-layout '[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]' --value-layout '=8Q'",
      "  bpfmap load flows.bpf.o --pin /sys/fs/bpf/demo", "  bpfmap check --config bpfmap.yaml",
      "  bpfmap export --config bpfmap.yaml", "  bpfmap retire --config bpfmap.yaml --node web-7",
      "  bpfmap fleet --config bpfmap.yaml",
      "  bpfmap quickstart --duration 20s");

  private Main() {}

  /**
   * Runs one {@code bpfmap} command line and ends the JVM with its exit code: 0 on success, 1
   * when {@code lookup} or {@code delete} finds no such key, 2 for a usage error or any failure
   * (one line on stderr, with the stack trace under {@code --verbose} or for an unexpected
   * exception; a daemon with a JSON or logfmt log logs it there instead). {@code export} and
   * {@code quickstart} end through {@link System#exit}, so shutdown hooks run; one-shot commands
   * buffer stdout and halt after flushing it, and exit with 2 when stdout cannot be written, or
   * quietly with 141 when its reader has gone ({@link Stdout}).
   *
   * @param args the command line: global options ({@code -h}, {@code -V}, {@code --verbose}),
   *     then a command and its options; {@code bpfmap help} lists the commands
   */
  public static void main(String[] args) {
    boolean daemon = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().filter(DAEMONS::contains).isPresent();
    if (daemon) {
      System.exit(run(args));
    }
    // A one-shot command writes its output in blocks (System.out writes each line: 1 000 writes for a
    // dump of 1 000 entries), has no shutdown hook to run, and ends without System.exit, which logs
    // through java.util.logging, whose start took 30-50 ms of a 200 ms command.
    System.setOut(new PrintStream(new BufferedOutputStream(new Stdout(), 1 << 16), false, StandardCharsets.UTF_8));
    int code = run(args);
    System.out.flush();
    if (System.out.checkError()) { // PrintStream keeps write errors to itself: a full disk, a closed pipe
      System.err.println("bpfmap: cannot write the output (stdout is full or closed)");
      code = BAD_INPUT;
    }
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  static int run(String... args) {
    List<String> tokens = Arrays.asList(args);
    int at = 0;
    while (at < args.length && args[at].startsWith("-")) {
      at++;
    }
    boolean verbose = tokens.contains("--verbose");
    List<String> before = tokens.subList(0, at);
    if (before.contains("-V") || before.contains("--version")) {
      System.out.println(VERSION);
      return 0;
    }
    if (at == args.length || args[at].equals("help")) {
      String topic = at + 1 < args.length ? args[at + 1] : null;
      for (String t : before) {
        if (!List.of("-h", "--help", "--verbose").contains(t)) {
          return usageError(null, "Unknown option: '" + t + "'");
        }
      }
      if (topic != null && !COMMANDS.containsKey(topic)) {
        return usageError(null, "Unknown command: '" + topic + "'");
      }
      System.out.print(topic == null ? help() : COMMANDS.get(topic).help());
      return 0;
    }
    Command command = COMMANDS.get(args[at]);
    if (command == null) {
      return usageError(null, "Unknown command: '" + args[at] + "'");
    }
    try {
      List<String> rest = new java.util.ArrayList<>(before);
      rest.addAll(tokens.subList(at + 1, args.length));
      Args parsed = Args.parse(command, rest);
      if (parsed.help()) {
        System.out.print(command.help());
        return 0;
      }
      return command.factory().apply(parsed).call();
    } catch (Args.UsageException e) {
      return usageError(command, e.getMessage());
    } catch (Exception e) {
      boolean known = e instanceof BpfException || e instanceof CliException;
      String line = known ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
      if (DAEMONS.contains(command.name()) && LogLayout.structured()) { // the daemon's lines are JSON or logfmt
        org.slf4j.LoggerFactory.getLogger(Main.class).atError().setCause(verbose || !known ? e : null).log(line);
        return BAD_INPUT;
      }
      PrintStream err = System.err;
      err.println("bpfmap: " + line);
      if (verbose || !known) {
        e.printStackTrace(err);
      }
      return BAD_INPUT;
    }
  }

  private static int usageError(Command command, String message) {
    System.err.println("bpfmap: " + message + " (see: bpfmap " + (command == null ? "" : command.name() + " ") + "--help)");
    return BAD_INPUT;
  }

  static String help() {
    StringBuilder sb = new StringBuilder("Usage: bpfmap [-h] [-V] [--verbose] COMMAND\n");
    sb.append("Read, write and stream Linux eBPF maps (to Kafka, Prometheus, stdout).\n");
    Command.row(sb, "-h, --help", Command.HELP.description());
    Command.row(sb, "-V, --version", "Print version information and exit.");
    Command.row(sb, Command.VERBOSE.name(), Command.VERBOSE.description());
    sb.append("Commands:\n");
    COMMANDS.values().forEach(c -> Command.row(sb, c.name(), c.description()));
    Command.row(sb, "help", "Display help information about the specified command.");
    FOOTER.forEach(line -> sb.append(line).append('\n'));
    return sb.toString();
  }

  /** Every subcommand, in the order of the help text. */
  static java.util.Collection<Command> commands() {
    return COMMANDS.values();
  }

  private static Map<String, Command> byName(Command... commands) {
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command c : commands) {
      byName.put(c.name(), c);
    }
    return byName;
  }
}
