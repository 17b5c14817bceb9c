package io.bpfmap.metrics;

import java.util.HexFormat;

/** The field's bytes in memory order as {@code 0x…}. */
final class HexDecoder implements LabelDecoder {
  @Override
  public String decode(Object value, byte[] raw) {
    return "0x" + HexFormat.of().formatHex(raw);
  }
}
