package io.bpfmap.exporter;

import io.bpfmap.exporter.Command.Opt;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A subcommand's command line, parsed against its {@link Command}: {@code --name value},
 * {@code --name=value}, flags, positional parameters, and {@code --} before parameters that start
 * with a dash. {@code --help}/{@code -h} and {@code --verbose} are every command's. A bad command
 * line throws {@link UsageException}, whose message names the option or the argument.
 */
final class Args {
  /** A command line that does not fit its command: printed with a pointer to the command's help. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private final Command command;
  private final Map<String, String> values = new HashMap<>();
  private final List<String> params = new ArrayList<>();
  private boolean help;
  private boolean verbose;

  private Args(Command command) {
    this.command = command;
  }

  static Args parse(Command command, List<String> tokens) {
    Args a = new Args(command);
    List<Opt> positional = command.options().stream().filter(Opt::positional).toList();
    boolean onlyParams = false;
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (onlyParams || !t.startsWith("-") || t.equals("-")) {
        a.params.add(t);
      } else if (t.equals("--")) {
        onlyParams = true;
      } else if (t.equals("-h") || t.equals("--help")) {
        a.help = true;
      } else if (t.equals("--verbose")) {
        a.verbose = true;
      } else {
        int eq = t.indexOf('=');
        String name = eq < 0 ? t : t.substring(0, eq);
        Opt o = command.options().stream().filter(x -> !x.positional() && x.name().equals(name)).findFirst()
            .orElseThrow(() -> new UsageException("Unknown option: '" + t + "'"));
        if (a.values.containsKey(name)) {
          throw new UsageException("option '" + name + "' should be given only once");
        }
        if (o.isFlag()) {
          if (eq >= 0) {
            throw new UsageException("option '" + name + "' takes no value: '" + t + "'");
          }
          a.values.put(name, "true");
        } else if (eq >= 0) {
          a.values.put(name, t.substring(eq + 1));
        } else if (i + 1 < tokens.size()) {
          a.values.put(name, tokens.get(++i));
        } else {
          throw new UsageException("Missing value for option '" + o.synopsis() + "'");
        }
      }
    }
    if (a.help) {
      return a;
    }
    for (Opt o : command.options()) {
      if (o.required() && !o.positional() && !a.values.containsKey(o.name())) {
        throw new UsageException("Missing required option: '" + o.synopsis() + "'");
      }
    }
    if (a.params.size() < positional.size()) {
      throw new UsageException("Missing required parameter: '" + positional.get(a.params.size()).label() + "'");
    }
    if (a.params.size() > positional.size()) {
      throw new UsageException("Unmatched argument: '" + a.params.get(positional.size()) + "'");
    }
    return a;
  }

  boolean help() {
    return help;
  }

  boolean verbose() {
    return verbose;
  }

  /** The option's value, its default, or null. */
  String value(Command.Opt option) {
    return values.getOrDefault(option.name(), option.defaultValue());
  }

  boolean flag(Command.Opt option) {
    return values.containsKey(option.name());
  }

  /** The value of an integer option. */
  int integer(Command.Opt option) {
    String v = value(option);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid value for option '" + option.name() + "': '" + v + "' is not an integer");
    }
  }

  /** A path option or parameter; null when absent. */
  Path path(Command.Opt option) {
    String v = option.positional() ? param(option) : value(option);
    try {
      return v == null ? null : Path.of(v);
    } catch (InvalidPathException e) {
      throw new UsageException("Invalid value for '" + option.synopsis() + "': " + e.getReason());
    }
  }

  /** A comma-separated list option; empty when absent. */
  List<String> list(Command.Opt option) {
    String v = value(option);
    return v == null || v.isEmpty() ? List.of() : List.of(v.split(","));
  }

  /** The positional parameter {@code option}, by its place among the command's parameters. */
  String param(Command.Opt option) {
    int index = command.options().stream().filter(Opt::positional).toList().indexOf(option);
    return index >= 0 && index < params.size() ? params.get(index) : null;
  }
}
