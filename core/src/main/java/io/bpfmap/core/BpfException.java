package io.bpfmap.core;

/**
 * The root of every bpfmap failure: an unchecked exception carrying the operation, the map (or
 * pin) it concerned, and the errno the kernel returned (0 when the error was found before any
 * syscall). The message is one line: {@code update on map 'flows': EPERM (Operation not
 * permitted): the map was opened read-only}.
 */
public class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The operation that failed. */
  private final String operation;
  /** The map or path it failed on; may be empty. */
  private final String target;
  /** The kernel's errno, or 0. */
  private final int errno;

  /**
   * A failure of {@code operation} on {@code target}: a map ("map 'flows'", rendered "lookup on
   * map 'flows'") or a path ("/sys/fs/bpf/x", rendered "open pin /sys/fs/bpf/x").
   * @param operation what failed, as {@link #operation()} returns it
   * @param target the map or path it failed on, or empty
   * @param errno the errno the kernel returned, or 0 when no syscall failed
   * @param detail what went wrong or what to do, appended to the message; may be empty
   */
  public BpfException(String operation, String target, int errno, String detail) {
    this(operation, target, errno, detail, null);
  }

  /**
   * As {@link #BpfException(String, String, int, String)}, with the exception that caused it.
   * @param operation what failed, as {@link #operation()} returns it
   * @param target the map or path it failed on, or empty
   * @param errno the errno the kernel returned, or 0 when no syscall failed
   * @param detail what went wrong or what to do, appended to the message; may be empty
   * @param cause the underlying exception, or null
   */
  public BpfException(String operation, String target, int errno, String detail, Throwable cause) {
    super(oneLine(message(operation, target, errno, detail)), cause);
    this.operation = operation;
    this.target = target;
    this.errno = errno;
  }

  /**
   * For subclasses whose message has its own shape (layout errors start with the field path); the
   * target is empty and the errno 0.
   * @param message the whole message, made one line by {@link #oneLine(String)}
   * @param operation what failed, as {@link #operation()} returns it
   * @param cause the underlying exception, or null
   */
  protected BpfException(String message, String operation, Throwable cause) {
    super(oneLine(message), cause);
    this.operation = operation;
    this.target = "";
    this.errno = 0;
  }

  /** {@return the operation that failed: {@code lookup}, {@code batch lookup}, {@code open pin}} */
  public String operation() {
    return operation;
  }

  /** {@return what it failed on: {@code map 'flows'}, a path {@code /sys/fs/bpf/x}, or empty} */
  public String target() {
    return target;
  }

  /** {@return the errno the kernel returned, or 0 when the error was found before any syscall} */
  public int errno() {
    return errno;
  }

  /** {@return the errno's symbolic name ({@code ENOENT}); empty when {@link #errno()} is 0} */
  public String errnoName() {
    return errno == 0 ? "" : Errno.name(errno);
  }

  /**
   * {@code text} on one line: control characters (a newline in a value, say) are written as
   * {@code \n}, {@code \t} or {@code \xNN}, so that an error is always one line of a log.
   * @param text any text, or null
   * @return the text with its control characters escaped; the same string when it has none; null
   *     for null
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
   * @param value any value: collections, maps and byte arrays ({@code 16 bytes}) are summarized
   * @return at most 60 characters, ending in {@code ...} when cut
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
