package io.bpfmap.metrics;

/** Sixteen bytes in network order as an RFC 5952 address: lowercase, the longest zero run as ::. */
final class Ipv6Decoder implements LabelDecoder {
  @Override
  public String refuses(int bytes) {
    return LabelDecoder.needs("ipv6", 16, bytes);
  }

  @Override
  public String decode(Object value, byte[] raw) {
    String refused = refuses(raw.length);
    if (refused != null) {
      throw new IllegalArgumentException(refused);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
