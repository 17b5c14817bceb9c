package io.bpfmap.metrics;

/** Numbers as unsigned decimal (a 64-bit value's bits as 0..2^64-1); booleans as 0/1. */
final class UnsignedDecoder implements LabelDecoder {
  @Override
  public String decode(Object value, byte[] raw) {
    return switch (value) {
      case Long l -> Long.toUnsignedString(l);
      case Integer i -> Integer.toUnsignedString(i);
      case Short s -> Integer.toString(s & 0xFFFF);
      case Byte b -> Integer.toString(b & 0xFF);
      case Boolean b -> b ? "1" : "0";
      case Number n -> n.toString();
      default -> new HexDecoder().decode(value, raw);
    };
  }
}
