package io.bpfmap.metrics;

/** Four bytes in network order (as the kernel stores {@code __be32} addresses) as a dotted quad. */
final class Ipv4Decoder implements LabelDecoder {
  @Override
  public String refuses(int bytes) {
    return LabelDecoder.needs("ipv4", 4, bytes);
  }

  @Override
  public String decode(Object value, byte[] raw) {
    String refused = refuses(raw.length);
    if (refused != null) {
      throw new IllegalArgumentException(refused);
    }
    return (raw[0] & 0xFF) + "." + (raw[1] & 0xFF) + "." + (raw[2] & 0xFF) + "." + (raw[3] & 0xFF);
  }
}
