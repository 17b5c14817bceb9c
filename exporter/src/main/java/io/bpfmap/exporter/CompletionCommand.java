package io.bpfmap.exporter;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Prints a bash completion script made from the commands' own declarations: command names, then
 * each command's options, and files for paths ({@code source <(bpfmap completion)}).
 */
final class CompletionCommand implements Callable<Integer> {
  static final Command COMMAND = new Command("completion",
      "Print a bash completion script for bpfmap: source <(bpfmap completion), or save it as "
          + "/etc/bash_completion.d/bpfmap.",
      List.of(), List.of("", "Example:", "  source <(bpfmap completion)"), a -> new CompletionCommand());

  /** Options whose values are a fixed set: they complete those, not file names. */
  private static final java.util.Map<String, String> VALUES = new java.util.LinkedHashMap<>(java.util.Map.of(
      "--log-format", "text json logfmt", "--flag", "any noexist exist",
      "--type", java.util.Arrays.stream(io.bpfmap.core.MapType.values()).filter(t -> t != io.bpfmap.core.MapType.UNSPEC)
          .map(t -> t.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(" "))));

  @Override
  public Integer call() {
    System.out.print(script(Main.commands()));
    return 0;
  }

  /** The script: a function that completes the command name first, then that command's options. */
  static String script(Collection<Command> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append("# bash completion for bpfmap, made by: bpfmap completion\n");
    sb.append("_bpfmap() {\n");
    sb.append("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" command=\"\" i\n");
    sb.append("  for ((i = 1; i < COMP_CWORD; i++)); do\n");
    sb.append("    case \"${COMP_WORDS[i]}\" in -*) ;; *) command=\"${COMP_WORDS[i]}\"; break ;; esac\n");
    sb.append("  done\n");
    sb.append("  local words\n");
    sb.append("  case \"$command\" in\n");
    sb.append("    \"\") words=\"")
        .append(commands.stream().map(Command::name).collect(Collectors.joining(" ")))
        .append(" help --help --version --verbose\" ;;\n");
    for (Command c : commands) {
      String options = c.options().stream().filter(o -> !o.positional()).map(Command.Opt::name)
          .collect(Collectors.joining(" "));
      sb.append("    ").append(c.name()).append(") words=\"").append(options).append(options.isEmpty() ? "" : " ")
          .append("--help --verbose\" ;;\n");
    }
    sb.append("    help) words=\"").append(commands.stream().map(Command::name).collect(Collectors.joining(" ")))
        .append("\" ;;\n");
    sb.append("  esac\n");
    sb.append("  local prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n");
    sb.append("  case \"$prev\" in\n");
    for (var v : VALUES.entrySet()) {
      sb.append("    ").append(v.getKey()).append(") mapfile -t COMPREPLY < <(compgen -W \"").append(v.getValue())
          .append("\" -- \"$cur\"); return ;;\n");
    }
    sb.append("  esac\n");
    sb.append("  if [[ \"$cur\" == -* || -z \"$command\" || \"$command\" == help ]]; then\n");
    sb.append("    mapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n");
    sb.append("  else\n");
    sb.append("    mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")  # one word a line: names with spaces stay whole\n");
    sb.append("  fi\n");
    sb.append("}\n");
    sb.append("complete -o filenames -F _bpfmap bpfmap\n");
    return sb.toString();
  }
}
