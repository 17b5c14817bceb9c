package io.bpfmap.exporter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A subcommand of {@code bpfmap}: its name, what it does, its options and parameters, its examples,
 * and the code that runs it once {@link Args} has parsed its command line. Declared as plain data,
 * so that a one-shot command starts without reading annotations by reflection (picocli's model
 * took 100–140 ms of every command's start).
 *
 * @param footer lines after the options: notes and examples, printed as they are (never wrapped)
 */
record Command(String name, String description, List<Opt> options, List<String> footer,
    Function<Args, Callable<Integer>> factory) {
  static final int WIDTH = 100;
  static final Opt HELP = Opt.flag("--help", "Show this help message and exit.");
  static final Opt VERBOSE = Opt.flag("--verbose", "Print stack traces with errors.");

  /**
   * An option ({@code --name}, with a value unless it is a flag) or a positional parameter (its
   * name is its label, in upper case).
   */
  record Opt(String name, String label, String description, boolean required, String defaultValue) {
    static Opt value(String name, String label, String description) {
      return new Opt(name, label, description, false, null);
    }

    static Opt flag(String name, String description) {
      return new Opt(name, null, description, false, null);
    }

    static Opt param(String label, String description) {
      return new Opt(label, label, description, true, null);
    }

    Opt asRequired() {
      return new Opt(name, label, description, true, defaultValue);
    }

    Opt orElse(String value) {
      return new Opt(name, label, description + " (default " + value + ")", false, value);
    }

    boolean isFlag() {
      return label == null;
    }

    boolean positional() {
      return !name.startsWith("-");
    }

    /** {@code --key=K} or {@code MAP}, as usage lines and errors write it. */
    String synopsis() {
      return positional() ? label : isFlag() ? name : name + "=" + label;
    }
  }

  /** Options of several groups (a command's own and shared ones such as {@code MapOptions}). */
  @SafeVarargs
  static List<Opt> options(List<Opt>... groups) {
    List<Opt> all = new ArrayList<>();
    for (List<Opt> g : groups) {
      all.addAll(g);
    }
    return List.copyOf(all);
  }

  /** The help text: usage, description, parameters, options, then the footer. */
  String help() {
    StringBuilder usage = new StringBuilder("Usage: bpfmap " + name + " [-h] [--verbose]");
    for (Opt o : options) {
      usage.append(' ').append(o.required() ? o.synopsis() : "[" + o.synopsis() + "]");
    }
    StringBuilder sb = new StringBuilder();
    wrap(sb, usage.toString(), "", "       ");
    wrap(sb, description, "", "");
    List<Opt> params = options.stream().filter(Opt::positional).toList();
    if (!params.isEmpty()) {
      sb.append("Parameters:\n");
      params.forEach(p -> row(sb, p.label(), p.description()));
    }
    sb.append("Options:\n");
    options.stream().filter(o -> !o.positional()).forEach(o -> row(sb, o.synopsis(), o.description()));
    row(sb, "-h, --help", HELP.description());
    row(sb, VERBOSE.name(), VERBOSE.description());
    footer.forEach(line -> sb.append(line).append('\n'));
    return sb.toString();
  }

  /** A two-column row: the term, then its text wrapped beside it. */
  static void row(StringBuilder sb, String term, String text) {
    String head = "  " + term;
    String indent = " ".repeat(28);
    if (head.length() >= indent.length() - 1) {
      sb.append(head).append('\n');
      head = indent;
    } else {
      head = head + " ".repeat(indent.length() - head.length());
    }
    wrap(sb, text == null ? "" : text, head, indent);
  }

  /** Words of {@code text} in lines of at most {@link #WIDTH}, the first after {@code first}. */
  static void wrap(StringBuilder sb, String text, String first, String rest) {
    StringBuilder line = new StringBuilder(first);
    boolean empty = true;
    for (String word : text.split(" ")) {
      if (!empty && line.length() + 1 + word.length() > WIDTH) {
        sb.append(line).append('\n');
        line = new StringBuilder(rest);
        empty = true;
      }
      line.append(empty ? "" : " ").append(word);
      empty = false;
    }
    sb.append(line.toString().stripTrailing()).append('\n');
  }
}
