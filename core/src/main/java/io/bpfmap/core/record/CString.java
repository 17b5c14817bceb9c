package io.bpfmap.core.record;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How an {@code s} field reads as text: the bytes up to the first NUL, decoded as UTF-8; a byte
 * that is not part of valid UTF-8 becomes {@code \xNN} and a backslash becomes {@code \\}, so the
 * text maps back to the bytes without ambiguity.
 */
public final class CString {
  private CString() {}

  /**
   * {@return the text of {@code bytes} by the rule above; empty when the first byte is NUL}
   * @param bytes the field's bytes, all of them (a string without NUL uses every byte)
   */
  public static String toText(byte[] bytes) {
    char[] out = new char[maxChars(bytes.length)];
    int n = decode(MemorySegment.ofArray(bytes), 0, bytes.length, out);
    return new String(out, 0, n);
  }

  /** Chars {@link #decode} may need for {@code bytes} bytes. */
  static int maxChars(int bytes) {
    return bytes * 4;
  }

  /** Decodes {@code max} bytes at {@code at} (stopping at NUL) into {@code out}; returns the length. */
  static int decode(MemorySegment m, long at, int max, char[] out) {
    int n = 0;
    int i = 0;
    while (i < max) {
      int b0 = m.get(ValueLayout.JAVA_BYTE, at + i) & 0xFF;
      if (b0 == 0) {
        break;
      }
      if (b0 < 0x80) {
        if (b0 == '\\') {
          out[n++] = '\\';
        }
        out[n++] = (char) b0;
        i++;
        continue;
      }
      int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
      int cp = len == 4 ? b0 & 0x07 : len == 3 ? b0 & 0x0F : b0 & 0x1F;
      boolean ok = len > 0 && i + len <= max;
      for (int k = 1; ok && k < len; k++) {
        int b = m.get(ValueLayout.JAVA_BYTE, at + i + k) & 0xFF;
        ok = (b & 0xC0) == 0x80;
        cp = (cp << 6) | (b & 0x3F);
      }
      int minCp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      ok = ok && cp >= minCp && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
      if (!ok) {
        out[n++] = '\\';
        out[n++] = 'x';
        out[n++] = Character.forDigit(b0 >> 4, 16);
        out[n++] = Character.forDigit(b0 & 0xF, 16);
        i++;
        continue;
      }
      n += Character.toChars(cp, out, n);
      i += len;
    }
    return n;
  }
}
