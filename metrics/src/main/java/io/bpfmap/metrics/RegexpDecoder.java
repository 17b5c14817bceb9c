package io.bpfmap.metrics;

import java.util.regex.Pattern;

/**
 * An allow-list: the label as decoded before it (a string field as a C string, a number in
 * decimal, or the previous decoder's output in a chain) stays when the pattern is found in it;
 * otherwise the event's series is dropped (not counted anywhere, not an unknown value).
 */
final class RegexpDecoder implements LabelDecoder {
  private final Pattern pattern;

  RegexpDecoder(Pattern pattern) {
    this.pattern = pattern;
  }

  @Override
  public String decode(Object value, byte[] raw) {
    String text = switch (value) {
      case String s -> s;
      case byte[] b -> new CStringDecoder().decode(b, b);
      default -> new UnsignedDecoder().decode(value, raw);
    };
    return pattern.matcher(text).find() ? text : null;
  }
}
