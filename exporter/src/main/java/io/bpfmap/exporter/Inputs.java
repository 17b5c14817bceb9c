package io.bpfmap.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bpfmap.core.BpfException;
import io.bpfmap.core.internal.json.PlainJson;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the command line reads its inputs: layouts and masks as JSON or YAML in the seed's notation,
 * or {@code @file}; keys and values as hex without a layout, JSON in the layout's shape with one.
 * Every error names the option it came from.
 */
final class Inputs {
  /** Made at first use: a command without JSON or YAML input does not pay Jackson's start (20–40 ms). */
  private static final class Yaml {
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  private Inputs() {}

  /** Reads JSON and YAML (JSON is YAML's flow style), refusing duplicate keys. */
  static ObjectMapper yaml() {
    return Yaml.MAPPER;
  }

  /** The text of an option, or of the file it names with {@code @file}. */
  static String text(String option, String value) {
    if (!value.startsWith("@")) {
      return value;
    }
    Path file = Path.of(value.substring(1));
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new CliException(option + ": cannot read " + file + ": " + why(e), e);
    }
  }

  /** What went wrong reading a file, without the path the exception repeats. */
  static String why(IOException e) {
    return switch (e) {
      case java.nio.file.NoSuchFileException missing -> "no such file";
      case java.nio.file.AccessDeniedException denied -> "permission denied";
      case java.nio.charset.CharacterCodingException binary -> "not UTF-8 text";
      default -> Files.isDirectory(Path.of(String.valueOf(e instanceof java.nio.file.FileSystemException f
          ? f.getFile() : ""))) ? "is a directory" : firstLine(e.getMessage());
    };
  }

  /**
   * JSON or YAML text as plain Java maps, lists and scalars. Plain JSON, as a key or value on the
   * command line usually is, is read without starting Jackson (50–60 ms of a one-shot command).
   */
  static Object tree(String option, String text) {
    Optional<Object> plain = PlainJson.read(text);
    if (plain.isPresent()) {
      return plain.get();
    }
    try {
      return yaml().readValue(text, Object.class);
    } catch (IOException e) {
      throw new CliException(option + ": not JSON or YAML: " + parseError(e), e);
    }
  }

  static RecordLayout layout(String option, String value) {
    if (value == null) {
      return null;
    }
    String t = text(option, value).strip();
    try {
      Object tree = t.startsWith("[") || t.startsWith("{") || t.contains("\n") ? tree(option, t) : t;
      return layout(tree);
    } catch (BpfException e) {
      throw new CliException(option + ": " + e.getMessage(), e);
    }
  }

  /** A layout from config or option text: a format string, a list of fields or a map. */
  @SuppressWarnings("unchecked")
  static RecordLayout layout(Object tree) {
    return switch (tree) {
      case String s -> RecordLayout.parse(s);
      case List<?> l -> RecordLayout.of(l);
      case Map<?, ?> m -> RecordLayout.of((Map<String, ?>) m, io.bpfmap.core.record.ByteOrderMode.NATIVE);
      case null -> throw new CliException("a layout is required");
      default -> RecordLayout.parse(String.valueOf(tree));
    };
  }

  static PermissionMask mask(String option, String value) {
    if (value == null) {
      return null;
    }
    String t = text(option, value).strip();
    return PermissionMask.of(t.length() == 1 ? t : tree(option, t));
  }

  /** A key or value: hex bytes without a layout, JSON/YAML in its shape with one. */
  static byte[] bytes(String option, String value, RecordLayout layout) {
    if (layout == null) {
      String hex = value.strip().replace(" ", "");
      hex = hex.startsWith("0x") ? hex.substring(2) : hex;
      try {
        return HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        throw new CliException(option + ": not hex bytes: '" + value + "' (give a layout to pass JSON)");
      }
    }
    try {
      Object tree = layout.isBare() ? tree(option, text(option, value)) : object(option, value);
      return layout.pack(layout.fieldsOf(tree));
    } catch (BpfException e) {
      throw new CliException(option + ": " + e.getMessage(), e);
    }
  }

  /** A JSON/YAML object (a key or value in a layout's shape). */
  @SuppressWarnings("unchecked")
  static Map<String, ?> object(String option, String value) {
    Object tree = tree(option, text(option, value));
    if (!(tree instanceof Map<?, ?> map)) {
      throw new CliException(option + ": expected a JSON object in the layout's shape, got "
          + io.bpfmap.core.BpfException.show(value));
    }
    return (Map<String, ?>) map;
  }

  /** A JSON/YAML parse error as "line L, column C: what" (Jackson's own text, on one line). */
  static String parseError(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
        && j.getLocation().getLineNr() > 0) {
      return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ": "
          + yamlProblem(j.getOriginalMessage());
    }
    return yamlProblem(e.getMessage());
  }

  /**
   * The YAML parser's words in one line: its first line and what it expected ({@code while parsing
   * a flow mapping: expected ',' or '}', but got end of file}), its event names as YAML's.
   */
  static String yamlProblem(String message) {
    String m = String.valueOf(message);
    String said = firstLine(m);
    for (String line : m.split("\n")) {
      String t = line.strip();
      if (!t.equals(said) && (t.startsWith("expected") || t.startsWith("found") || t.contains(", but "))) {
        said += ": " + t;
        break;
      }
    }
    return said.replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.MappingStartEvent[^>]*>", "a mapping ({…})")
        .replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.SequenceStartEvent[^>]*>", "a list ([…])")
        .replaceAll("<org\\.yaml\\.snakeyaml\\.events\\.\\w+Event[^>]*>", "something else")
        .replace("<stream end>", "the end of the file");
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
