package io.bpfmap.core;

/**
 * The root of every bpfmap failure: an unchecked exception carrying the operation, the map (or
 * pin) it concerned, and the errno the kernel returned (0 when the error was found before any
 * syscall). The message is one line: {@code update on map 'flows': EPERM (Operation not
 * permitted): the map was opened read-only}.
 */
public class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String target;
  private final int errno;

  /**
   * A failure of {@code operation} on {@code target}: a map ("map 'flows'", rendered "lookup on
   * map 'flows'") or a path ("/sys/fs/bpf/x", rendered "open pin /sys/fs/bpf/x").
   */
  public BpfException(String operation, String target, int errno, String detail) {
    this(operation, target, errno, detail, null);
  }

  public BpfException(String operation, String target, int errno, String detail, Throwable cause) {
    super(oneLine(message(operation, target, errno, detail)), cause);
    this.operation = operation;
    this.target = target;
    this.errno = errno;
  }

  /** For subclasses whose message has its own shape (layout errors start with the field path). */
  protected BpfException(String message, String operation, Throwable cause) {
    super(oneLine(message), cause);
    this.operation = operation;
    this.target = "";
    this.errno = 0;
  }

  /** The operation that failed: {@code lookup}, {@code batch lookup}, {@code open pin}… */
  public String operation() {
    return operation;
  }

  /** What it failed on: {@code map 'flows'} or a path {@code /sys/fs/bpf/flows}; may be empty. */
  public String target() {
    return target;
  }

  /** The errno the kernel returned, or 0 when the error was found before any syscall. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name ({@code ENOENT}), or the empty string when {@link #errno()} is 0. */
  public String errnoName() {
    return errno == 0 ? "" : Errno.name(errno);
  }

  /**
   * {@code text} on one line: control characters (a newline in a value, say) are written as
   * {@code \n}, {@code \t} or {@code \xNN}, so that an error is always one line of a log.
   */
  public static String oneLine(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != 0x7f) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> sb.append(String.format("\\x%02x", (int) c));
      }
    }
    return sb == null ? text : sb.toString();
  }

  /**
   * A value as an error message may show it: at most 60 characters of its text, on one line, and
   * never the whole of a deep or huge structure (lists and maps are shown 4 levels deep).
   */
  public static String show(Object value) {
    StringBuilder sb = new StringBuilder();
    render(value, sb, 0);
    String s = oneLine(sb.toString());
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static void render(Object v, StringBuilder sb, int depth) {
    if (depth > 4) {
      sb.append("...");
    } else if (v instanceof java.util.Collection<?> c) {
      sb.append('[');
      for (Object e : c) {
        if (sb.length() > 60) {
          sb.append("...");
          break;
        }
        render(e, sb, depth + 1);
        sb.append(", ");
      }
      sb.setLength(c.isEmpty() || sb.charAt(sb.length() - 1) != ' ' ? sb.length() : sb.length() - 2);
      sb.append(']');
    } else if (v instanceof java.util.Map<?, ?> m) {
      sb.append('{');
      for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
        if (sb.length() > 60) {
          sb.append("...");
          break;
        }
        render(e.getKey(), sb, depth + 1);
        sb.append('=');
        render(e.getValue(), sb, depth + 1);
        sb.append(", ");
      }
      sb.setLength(m.isEmpty() || sb.charAt(sb.length() - 1) != ' ' ? sb.length() : sb.length() - 2);
      sb.append('}');
    } else if (v instanceof byte[] b) {
      sb.append(b.length).append(" bytes");
    } else {
      String text = String.valueOf(v);
      sb.append(text, 0, Math.min(text.length(), 64));
    }
  }

  private static String message(String operation, String target, int errno, String detail) {
    StringBuilder sb = new StringBuilder(operation);
    if (target != null && !target.isEmpty()) {
      sb.append(target.startsWith("/") ? " " : " on ").append(target);
    }
    if (errno != 0) {
      sb.append(": ").append(Errno.name(errno)).append(" (").append(Errno.description(errno)).append(')');
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }
}
