package io.bpfmap.core.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * UTF-8 JSON written straight into one growable byte array, reused record after record: the
 * primitives a record needs (numbers without allocating, escaped strings, pre-encoded bytes), and
 * no structure checks, which the callers' pre-compiled plans make. Output matches Jackson's
 * defaults (floats as {@link Float#toString}, non-finite numbers as strings, control characters
 * escaped) except that characters beyond the BMP are written as UTF-8, not as escaped surrogate
 * pairs, and a lone surrogate as its escape. Not thread-safe.
 */
public final class JsonOut {
  private static final byte[] DIGIT_PAIRS = new byte[200];
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  private byte[] buf = new byte[256];
  private int len;

  public JsonOut raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  public JsonOut raw(char ascii) {
    ensure(1);
    buf[len++] = (byte) ascii;
    return this;
  }

  public JsonOut nul() {
    return raw(NULL);
  }

  public JsonOut bool(boolean b) {
    return raw(b ? TRUE : FALSE);
  }

  /** A signed decimal. */
  public JsonOut number(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        return raw('-').unsigned(v);
      }
      raw('-');
      v = -v;
    }
    return digits(v);
  }

  /** The unsigned decimal of {@code v}'s 64 bits. */
  public JsonOut unsigned(long v) {
    if (v >= 0) {
      return digits(v);
    }
    long q = (v >>> 1) / 5;
    digits(q);
    return raw((char) ('0' + (v - q * 10)));
  }

  public JsonOut number(float f) {
    String s = Float.toString(f);
    return Float.isFinite(f) ? ascii(s) : string(s.toCharArray(), 0, s.length());
  }

  public JsonOut number(double d) {
    String s = Double.toString(d);
    return Double.isFinite(d) ? ascii(s) : string(s.toCharArray(), 0, s.length());
  }

  /** {@code n} chars of {@code text} from {@code off} as a quoted, escaped JSON string. */
  public JsonOut string(char[] text, int off, int n) {
    ensure(n * 6 + 2);
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    for (int i = off; i < off + n; i++) {
      char c = text[i];
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b[at++] = (byte) c;
      } else if (c < 0x80) {
        at = escape(b, at, c);
      } else if (c < 0x800) {
        b[at++] = (byte) (0xC0 | c >> 6);
        b[at++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < off + n && Character.isLowSurrogate(text[i + 1])) {
        int cp = Character.toCodePoint(c, text[++i]);
        b[at++] = (byte) (0xF0 | cp >> 18);
        b[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
        b[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
        b[at++] = (byte) (0x80 | cp & 0x3F);
      } else if (Character.isSurrogate(c)) {
        at = escape(b, at, c);
      } else {
        b[at++] = (byte) (0xE0 | c >> 12);
        b[at++] = (byte) (0x80 | c >> 6 & 0x3F);
        b[at++] = (byte) (0x80 | c & 0x3F);
      }
    }
    b[at++] = '"';
    len = at;
    return this;
  }

  /** Bytes written since the last reset. */
  public int length() {
    return len;
  }

  /** The buffer itself (valid up to {@link #length}; replaced when it grows). */
  public byte[] array() {
    return buf;
  }

  public void reset() {
    len = 0;
  }

  /** The bytes written, as a new array; the buffer is emptied. */
  public byte[] take() {
    byte[] out = Arrays.copyOf(buf, len);
    len = 0;
    return out;
  }

  private static int escape(byte[] b, int at, char c) {
    b[at++] = '\\';
    switch (c) {
      case '"', '\\' -> b[at++] = (byte) c;
      case '\b' -> b[at++] = 'b';
      case '\t' -> b[at++] = 't';
      case '\n' -> b[at++] = 'n';
      case '\f' -> b[at++] = 'f';
      case '\r' -> b[at++] = 'r';
      default -> {
        b[at++] = 'u';
        b[at++] = HEX[c >> 12];
        b[at++] = HEX[c >> 8 & 0xF];
        b[at++] = HEX[c >> 4 & 0xF];
        b[at++] = HEX[c & 0xF];
      }
    }
    return at;
  }

  private JsonOut ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len + i] = (byte) s.charAt(i);
    }
    len += n;
    return this;
  }

  /** A non-negative decimal: int arithmetic on chunks of eight digits, two digits at a time. */
  private JsonOut digits(long v) {
    if (v < 100_000_000L) {
      return small((int) v);
    }
    long high = v / 100_000_000L;
    int low = (int) (v - high * 100_000_000L);
    if (high < 100_000_000L) {
      small((int) high);
    } else {
      long top = high / 100_000_000L;
      small((int) top);
      eight((int) (high - top * 100_000_000L));
    }
    return eight(low);
  }

  /** {@code v} (below 10^8) without leading zeros. */
  private JsonOut small(int v) {
    int n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
        : v < 10_000_000 ? 7 : 8;
    ensure(8);
    eightAt(v, len + n - 8);
    len += n;
    return this;
  }

  /** {@code v} (below 10^8) as exactly eight digits. */
  private JsonOut eight(int v) {
    ensure(8);
    eightAt(v, len);
    len += 8;
    return this;
  }

  /**
   * Writes {@code v} as eight digits from {@code at}, skipping positions before {@code len} (the
   * leading zeros {@link #small} drops). Four independent pairs, so the divisions overlap.
   */
  private void eightAt(int v, int at) {
    int high = v / 10_000;
    int low = v - high * 10_000;
    int p0 = high / 100;
    int p1 = high - p0 * 100;
    int p2 = low / 100;
    int p3 = low - p2 * 100;
    pair(p0, at);
    pair(p1, at + 2);
    pair(p2, at + 4);
    pair(p3, at + 6);
  }

  private void pair(int p, int at) {
    if (at >= len) {
      buf[at] = DIGIT_PAIRS[p << 1];
    }
    if (at + 1 >= len) {
      buf[at + 1] = DIGIT_PAIRS[(p << 1) + 1];
    }
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
