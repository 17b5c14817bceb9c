package io.bpfmap.exporter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The typed values of a config's YAML tree: objects, scalars and choices, each read at a YAML
 * path ({@code at}) that its error names ({@code maps[0].mode: unknown mode 'chnges' …}).
 */
final class YamlValues {
  private YamlValues() {}

  static <E extends Enum<E>> E choice(Object v, String at, String what, Class<E> type, Map<String, E> aliases) {
    String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
    if (aliases.containsKey(s)) {
      return aliases.get(s);
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>(aliases.keySet());
    for (E e : type.getEnumConstants()) {
      if (!aliases.containsValue(e)) {
        names.add(e.name().toLowerCase(Locale.ROOT));
      }
    }
    throw new CliException(at + ": unknown " + what + " '" + v + "' (" + String.join(", ", names) + ")");
  }

  static Map<String, Object> object(Object v, String at) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new CliException((at.isEmpty() ? "" : at + ": ") + "expected a mapping of keys to values");
    }
    return (Map<String, Object>) m;
  }

  static void keys(Map<String, Object> m, String at, Set<String> allowed) {
    for (String k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw new CliException((at.isEmpty() ? "" : at + ".") + k + ": unknown key (expected one of "
            + allowed.stream().sorted().toList() + ")");
      }
    }
  }

  static Object required(Map<String, Object> m, String key, String at) {
    Object v = m.get(key);
    if (v == null) {
      throw new CliException(at + "." + key + ": required");
    }
    return v;
  }

  static String string(Object v, String at) {
    if (v instanceof Map || v instanceof List) {
      throw new CliException(at + ": expected a string");
    }
    return String.valueOf(v);
  }

  static boolean bool(Object v, String at) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw new CliException(at + ": expected true or false, got '" + v + "'");
  }

  static int integer(Object v, String at, int min) {
    if (v instanceof Integer i && i >= min) {
      return i;
    }
    throw new CliException(at + ": expected a whole number of at least " + min + ", got '" + v + "'");
  }
}
