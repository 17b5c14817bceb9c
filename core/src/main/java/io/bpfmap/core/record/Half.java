package io.bpfmap.core.record;

/**
 * IEEE half-precision conversions that keep NaN payloads (the JDK's quiet signalling NaNs), so
 * that an {@code e} field unpacked and packed again gives back the same two bytes.
 */
final class Half {
  private Half() {}

  static float toFloat(short h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0) {
      return Float.intBitsToFloat(((h & 0x8000) << 16) | 0x7F800000 | ((h & 0x03FF) << 13));
    }
    return Float.float16ToFloat(h);
  }

  static short fromFloat(float f) {
    if (Float.isNaN(f)) {
      int bits = Float.floatToRawIntBits(f);
      int payload = (bits >>> 13) & 0x03FF;
      return (short) (((bits >>> 16) & 0x8000) | 0x7C00 | (payload == 0 ? 0x0200 : payload));
    }
    return Float.floatToFloat16(f);
  }
}
