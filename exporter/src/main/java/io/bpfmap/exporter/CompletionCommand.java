package io.bpfmap.exporter;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * Prints a bash completion script made from the commands' own declarations: command names, then
 * each command's options, files for paths, and for a command's {@code MAP} the system's maps as
 * {@code id:N} and {@code name:NAME}, listed by {@code bpfmap maps} when Tab is pressed after
 * {@code id:} or {@code name:} (as bpftool's completion lists map ids) ({@code source <(bpfmap
 * completion)}).
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
    sb.append("_bpfmap_maps() {  # id or name, then the command: the system's maps as id:N or name:NAME\n");
    sb.append("  local line re_id='\"id\":([0-9]+)' re_name='\"name\":\"([^\"]*)\"'\n");
    sb.append("  while IFS= read -r line; do\n");
    sb.append("    if [[ $1 == id && $line =~ $re_id ]]; then echo \"id:${BASH_REMATCH[1]}\"\n");
    sb.append("    elif [[ $1 == name && $line =~ $re_name ]]; then echo \"name:${BASH_REMATCH[1]}\"; fi\n");
    sb.append("  done < <(\"$2\" maps 2>/dev/null)\n");
    sb.append("}\n");
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
    String mapCommands = commands.stream().filter(c -> c.options().contains(MapArg.MAP)).map(Command::name)
        .collect(Collectors.joining(" "));
    // bash splits id:42 at its colon; the word as typed is the line's text since its last blank
    sb.append("  local word=\"$cur\" colon map_arg=\"\"\n");
    sb.append("  [[ \" ").append(mapCommands).append(" \" == *\" $command \"* ]] && map_arg=1  # its MAP is a map\n");
    sb.append("  [[ -n ${COMP_LINE-} ]] && word=\"${COMP_LINE:0:COMP_POINT}\" && word=\"${word##*[[:space:]]}\"\n");
    sb.append("  if [[ -n $map_arg && ( $word == id:* || $word == name:* ) ]]; then\n");
    sb.append("    mapfile -t COMPREPLY < <(compgen -W \"$(_bpfmap_maps \"${word%%:*}\" \"${COMP_WORDS[0]}\")\" -- \"$word\")\n");
    sb.append("    colon=\"${word%\"${word##*:}\"}\"  # bash completes only what follows the last colon\n");
    sb.append("    COMPREPLY=(\"${COMPREPLY[@]#\"$colon\"}\")\n");
    sb.append("    return\n");
    sb.append("  fi\n");
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
    String valued = commands.stream().flatMap(c -> c.options().stream()).filter(o -> !o.positional() && !o.isFlag())
        .map(Command.Opt::name).distinct().collect(Collectors.joining(" "));
    sb.append("    if [[ -n $map_arg && $cur != -* && $prev != = && \" ")
        .append(valued).append(" \" != *\" $prev \"* ]]; then\n");
    sb.append("      COMPREPLY+=($(compgen -W \"id: name:\" -- \"$cur\"))\n");
    sb.append("      # a lone id: or name: waits for its number or name, unquoted\n");
    sb.append("      [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *: ]] && compopt +o filenames -o nospace 2>/dev/null\n");
    sb.append("    fi\n");
    sb.append("  fi\n");
    sb.append("}\n");
    sb.append("complete -o filenames -F _bpfmap bpfmap\n");
    return sb.toString();
  }
}
