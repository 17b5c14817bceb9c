package io.bpfmap.exporter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code ${NAME}} (an environment variable) and {@code ${file:/path}} (a file's text, without its
 * last newline) in a config's string values, so that secrets stay out of the YAML; {@code $${}
 * writes a literal {@code ${}. Keys are not substituted. An error names the YAML path and the
 * reference, never the value it would have had.
 */
final class Substitution {
  private final UnaryOperator<String> env;

  /** {@code env}: a variable's value, or null when it is not set ({@code System::getenv}). */
  Substitution(UnaryOperator<String> env) {
    this.env = env;
  }

  /** The tree with every string value substituted. */
  Object apply(Object tree, String at) {
    return switch (tree) {
      case String s -> string(s, at);
      case Map<?, ?> m -> {
        Map<Object, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, apply(v, at.isEmpty() ? String.valueOf(k) : at + "." + k)));
        yield out;
      }
      case List<?> l -> {
        List<Object> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
          out.add(apply(l.get(i), at + "[" + i + "]"));
        }
        yield out;
      }
      case null, default -> tree;
    };
  }

  private String string(String s, String at) {
    if (!s.contains("${")) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (s.startsWith("${", i)) {
        int end = s.indexOf('}', i + 2);
        if (end < 0) {
          throw new CliException(at + ": '${' without its '}' (write $${ for a literal ${)");
        }
        out.append(resolve(s.substring(i + 2, end), at));
        i = end + 1;
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }

  private String resolve(String ref, String at) {
    if (ref.startsWith("file:")) {
      Path file = Path.of(ref.substring(5));
      try {
        String text = Files.readString(file);
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
      } catch (IOException e) {
        throw new CliException(at + ": ${" + ref + "}: " + Inputs.why(e));
      }
    }
    if (!ref.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new CliException(at + ": ${" + ref + "}: not an environment variable name or file:/path");
    }
    String value = env.apply(ref);
    if (value == null) {
      throw new CliException(at + ": ${" + ref + "}: the environment variable " + ref + " is not set");
    }
    return value;
  }
}
