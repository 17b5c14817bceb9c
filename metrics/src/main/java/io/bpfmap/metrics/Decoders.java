package io.bpfmap.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The label decoders a configuration writes as a map: tables, allow-lists, another architecture's syscalls. */
final class Decoders {
  static final String NAMES = "unsigned, hex, ipv4, ipv6, cstring, string, ksym, errno, syscall, cgroup, ifname, "
      + "majorminor, {enum: {number: name}}, {regexp: pattern}, {syscall: x86_64 or aarch64}, or a list: a chain";

  private Decoders() {}

  /** {@code x86_64} or {@code aarch64}: the architecture this JVM runs on, for the syscall table. */
  static String arch() {
    return System.getProperty("os.arch").equals("aarch64") ? "aarch64" : "x86_64";
  }

  static LabelDecoder syscall(String arch) {
    if (!Set.of("x86_64", "aarch64").contains(arch)) {
      throw new IllegalArgumentException("syscall: no table for architecture '" + arch + "' (x86_64, aarch64)");
    }
    return new NumberTableDecoder("syscall", "syscalls-" + arch + ".txt", false);
  }

  static LabelDecoder of(Map<?, ?> m) {
    if (m.get("enum") instanceof Map<?, ?> table && (m.size() == 1 || m.size() == 2 && m.containsKey("unknown"))) {
      Map<Long, String> names = new LinkedHashMap<>();
      table.forEach((k, v) -> {
        try {
          names.put(Long.parseLong(String.valueOf(k)), String.valueOf(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("enum key '" + k + "' is not a number");
        }
      });
      Object unknown = m.containsKey("unknown") ? m.get("unknown") : "keep";
      if (!"keep".equals(unknown) && !"drop".equals(unknown)) {
        throw new IllegalArgumentException("enum unknown: expected keep or drop, got '" + unknown + "'");
      }
      return new EnumDecoder(names, "keep".equals(unknown));
    }
    if (m.size() == 1 && m.get("regexp") instanceof String pattern) {
      try {
        return new RegexpDecoder(Pattern.compile(pattern));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("regexp '" + pattern + "' does not compile: " + e.getDescription());
      }
    }
    if (m.size() == 1 && m.containsKey("syscall")) {
      return syscall(String.valueOf(m.get("syscall")));
    }
    throw new IllegalArgumentException("unknown label decoder " + m + " (" + NAMES + ")");
  }
}
