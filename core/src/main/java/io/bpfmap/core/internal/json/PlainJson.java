package io.bpfmap.core.internal.json;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A reader of the short JSON texts a command line passes (a key, a value, a layout, a mask) into
 * the trees Jackson makes of them: {@code LinkedHashMap}, {@code ArrayList}, {@code String},
 * {@code Integer}, {@code Long} or {@code BigInteger} as the number needs, {@code Double},
 * {@code Boolean} and null. It costs microseconds where Jackson's first read costs a one-shot
 * command 50–60 ms.
 *
 * <p>It takes only text that Jackson's JSON and YAML readers both read into that same tree: no
 * exponents, no escaped slash, no duplicate or empty keys, no key longer than {@value #MAX_KEY}
 * or apart from its colon by a line break, no tabs, no raw control characters or others that YAML
 * refuses or takes as line breaks (escapes are fine), no number longer than {@value #MAX_NUMBER}
 * characters, no top-level null, at most {@value #MAX_DEPTH} levels. It answers empty for anything
 * else, and the caller's full parser reads it, or words its error.
 */
public final class PlainJson {
  static final int MAX_DEPTH = 64;
  /** SnakeYAML's limit on a key. */
  static final int MAX_KEY = 1024;
  /** Far below Jackson's limit on a number's length (1 000), which this reader does not word. */
  static final int MAX_NUMBER = 100;
  private static final NotPlain NOT_PLAIN = new NotPlain();
  private static final BigInteger MIN_LONG = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);

  private final String text;
  private int at;

  private PlainJson(String text) {
    this.text = text;
  }

  /**
   * {@return the tree of {@code text}, or empty when it is not plain JSON as this reader takes it}
   * @param text the text, which may have white space around it
   */
  public static Optional<Object> read(String text) {
    PlainJson in = new PlainJson(text);
    try {
      Object tree = in.value(0);
      in.space();
      return in.at == text.length() ? Optional.ofNullable(tree) : Optional.empty();
    } catch (NotPlain e) {
      return Optional.empty();
    }
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw NOT_PLAIN;
    }
    space();
    return switch (peek()) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> word("true", Boolean.TRUE);
      case 'f' -> word("false", Boolean.FALSE);
      case 'n' -> word("null", null);
      default -> number();
    };
  }

  private Map<String, Object> object(int depth) {
    at++;
    Map<String, Object> map = new LinkedHashMap<>();
    space();
    if (peek() == '}') {
      at++;
      return map;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw NOT_PLAIN;
      }
      String name = string();
      if (name.isEmpty() || name.length() > MAX_KEY) {
        throw NOT_PLAIN; // YAML refuses both
      }
      while (peek() == ' ') {
        at++; // YAML wants a key and its colon on one line
      }
      expect(':');
      if (map.containsKey(name)) {
        throw NOT_PLAIN;
      }
      map.put(name, value(depth + 1));
      space();
      if (peek() == '}') {
        at++;
        return map;
      }
      expect(',');
    }
  }

  private List<Object> array(int depth) {
    at++;
    List<Object> list = new ArrayList<>();
    space();
    if (peek() == ']') {
      at++;
      return list;
    }
    while (true) {
      list.add(value(depth + 1));
      space();
      if (peek() == ']') {
        at++;
        return list;
      }
      expect(',');
    }
  }

  private String string() {
    at++;
    StringBuilder out = new StringBuilder();
    while (true) {
      int c = peek();
      at++;
      if (c == '"') {
        return out.toString();
      } else if (c == '\\') {
        out.append(escaped());
      } else if (c < 0x20 || c >= 0x7F && c < 0xA0 || c == 0x2028 || c == 0x2029 || Character.isSurrogate((char) c)
          || c >= 0xFFFE) {
        throw NOT_PLAIN; // the end of the text (-1), or a char YAML refuses raw or takes as a line break
      } else {
        out.append((char) c);
      }
    }
  }

  private char escaped() {
    int c = peek();
    at++;
    return switch (c) {
      case '"', '\\' -> (char) c; // not the escaped slash, which SnakeYAML refuses
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'u' -> {
        if (at + 4 > text.length()) {
          throw NOT_PLAIN;
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
          char h = text.charAt(at++);
          int digit = h < 0x80 ? Character.digit(h, 16) : -1; // ASCII hex digits only
          if (digit < 0) {
            throw NOT_PLAIN;
          }
          code = code << 4 | digit;
        }
        yield (char) code;
      }
      default -> throw NOT_PLAIN;
    };
  }

  /** An integer as the smallest of Integer, Long and BigInteger that holds it, or a Double. */
  private Object number() {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    int first = at;
    digits();
    if (at - first > 1 && text.charAt(first) == '0') {
      throw NOT_PLAIN; // a leading zero
    }
    boolean fraction = peek() == '.';
    if (fraction) {
      at++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      throw NOT_PLAIN; // YAML reads 1e5 as a string, JSON as a number
    }
    if (at - start > MAX_NUMBER) {
      throw NOT_PLAIN;
    }
    String literal = text.substring(start, at);
    if (fraction) {
      return Double.valueOf(literal);
    }
    if (literal.length() <= 18) {
      long v = Long.parseLong(literal);
      return v == (int) v ? (Object) (int) v : (Object) v;
    }
    BigInteger big = new BigInteger(literal);
    return big.compareTo(MIN_LONG) >= 0 && big.compareTo(MAX_LONG) <= 0 ? (Object) big.longValue() : big;
  }

  private void digits() {
    int start = at;
    while (peek() >= '0' && peek() <= '9') {
      at++;
    }
    if (at == start) {
      throw NOT_PLAIN;
    }
  }

  private Object word(String word, Object value) {
    if (!text.startsWith(word, at)) {
      throw NOT_PLAIN;
    }
    at += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw NOT_PLAIN;
    }
    at++;
  }

  private void space() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\n' && c != '\r') { // YAML refuses tabs in places JSON takes them
        return;
      }
      at++;
    }
  }

  /** The next char, or -1 at the end. */
  private int peek() {
    return at < text.length() ? text.charAt(at) : -1;
  }

  /** Not plain JSON: thrown without a stack trace, caught by {@link #read}. */
  private static final class NotPlain extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotPlain() {
      super(null, null, false, false);
    }
  }
}
