package io.bpfmap.core.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ASCII_ZEROS = 0x3030_3030_3030_3030L;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  /** An empty buffer, which grows as the records written into it need. */
  public JsonOut() {}

  private byte[] buf = new byte[256];
  private int len;

  /**
   * {@return the bytes of an object member's start, {@code lead} then the quoted name and a colon
   * ({@code ,"name":}), to pass to {@link #raw(byte[])} record after record}
   * @param lead an ASCII character written first, usually {@code ,} or <code>{</code>
   * @param name the member's name, escaped as {@link #string(String)} escapes it
   */
  public static byte[] member(char lead, String name) {
    return new JsonOut().raw(lead).string(name).raw(':').take();
  }

  /**
   * Appends bytes as they are: pre-encoded JSON, not checked or escaped.
   * @param bytes UTF-8 JSON text
   * @return this
   */
  public JsonOut raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  /**
   * Appends one ASCII character as it is, not checked or escaped ({@code ,}, {@code :}, {@code [}).
   * @param ascii a character below 0x80; higher ones are cut to their low byte
   * @return this
   */
  public JsonOut raw(char ascii) {
    ensure(1);
    buf[len++] = (byte) ascii;
    return this;
  }

  /** {@return this, after appending {@code null}} */
  public JsonOut nul() {
    return raw(NULL);
  }

  /**
   * {@return this, after appending {@code true} or {@code false}}
   * @param b the value
   */
  public JsonOut bool(boolean b) {
    return raw(b ? TRUE : FALSE);
  }

  /**
   * {@return this, after appending {@code v} as a signed decimal, without allocating}
   * @param v the value
   */
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

  /**
   * {@return this, after appending the unsigned decimal of {@code v}'s 64 bits (a {@code Q} value)}
   * @param v the bits; -1 is written as 18446744073709551615
   */
  public JsonOut unsigned(long v) {
    if (v >= 0) {
      return digits(v);
    }
    long q = (v >>> 1) / 5;
    digits(q);
    return raw((char) ('0' + (v - q * 10)));
  }

  /**
   * {@return this, after appending {@code f} as {@link Float#toString(float)} writes it; NaN and
   * the infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}}
   * @param f the value
   */
  public JsonOut number(float f) {
    String s = Float.toString(f);
    return Float.isFinite(f) ? ascii(s) : string(s);
  }

  /**
   * {@return this, after appending {@code d} as {@link Double#toString(double)} writes it; NaN and
   * the infinities as strings, as {@link #number(float)} does}
   * @param d the value
   */
  public JsonOut number(double d) {
    String s = Double.toString(d);
    return Double.isFinite(d) ? ascii(s) : string(s);
  }

  /**
   * {@return this, after appending {@code text} as a quoted, escaped JSON string}
   * @param text the text (a lone surrogate is written as its <code>&#92;uXXXX</code> escape)
   */
  public JsonOut string(String text) {
    return string(text.toCharArray(), 0, text.length());
  }

  /**
   * {@return this, after appending {@code n} chars of {@code text} from {@code off} as a quoted,
   * escaped JSON string}
   * @param text the chars
   * @param off the first char to write
   * @param n how many chars to write
   */
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

  /** {@return the number of bytes written since the last {@link #reset} or {@link #take}} */
  public int length() {
    return len;
  }

  /**
   * {@return the buffer itself, not a copy: valid up to {@link #length}, and replaced by a larger
   * one when a later write needs room}
   */
  public byte[] array() {
    return buf;
  }

  /** Empties the buffer for the next record, keeping its capacity. */
  public void reset() {
    len = 0;
  }

  /** {@return the bytes written, as a new array; the buffer is emptied, keeping its capacity} */
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

  /** A non-negative decimal, in chunks of eight digits. */
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
    if (v < 10) {
      return raw((char) ('0' + v));
    }
    long d = digitBytes(v);
    int zeros = Long.numberOfTrailingZeros(d) >>> 3;
    ensure(8);
    LONG_LE.set(buf, len, (d >>> (zeros << 3)) + ASCII_ZEROS);
    len += 8 - zeros;
    return this;
  }

  /** {@code v} (below 10^8) as exactly eight digits. */
  private JsonOut eight(int v) {
    ensure(8);
    LONG_LE.set(buf, len, digitBytes(v) + ASCII_ZEROS);
    len += 8;
    return this;
  }

  /**
   * The eight decimal digits of {@code v} (below 10^8) as the bytes of a long, most significant
   * digit in the lowest byte (first in memory when stored little-endian). All lanes are divided at
   * once: by 10^4 into two 32-bit lanes, by 100 into four 16-bit lanes, by 10 into eight bytes;
   * each division is a multiply and shift exact for the lane's range, and no lane overflows into
   * the next.
   */
  static long digitBytes(int v) {
    long high = v / 10_000;
    long merged = high | (v - high * 10_000) << 32;
    long hundreds = (merged * 10_486L >>> 20) & 0x0000_007F_0000_007FL;
    long fours = merged - 100L * hundreds << 16 | hundreds;
    long tens = (fours * 103L >>> 10) & 0x000F_000F_000F_000FL;
    return tens + ((fours - 10L * tens) << 8);
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
