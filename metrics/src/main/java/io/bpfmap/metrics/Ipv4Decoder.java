package io.bpfmap.metrics;

/** Four bytes in network order (as the kernel stores {@code __be32} addresses) as a dotted quad. */
final class Ipv4Decoder implements LabelDecoder {
  @Override
  public String decode(Object value, byte[] raw) {
    if (raw.length != 4) {
      throw new IllegalArgumentException("ipv4 needs a 4-byte field, got " + raw.length + " bytes");
    }
    return (raw[0] & 0xFF) + "." + (raw[1] & 0xFF) + "." + (raw[2] & 0xFF) + "." + (raw[3] & 0xFF);
  }
}
