package io.bpfmap.metrics;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decoders in a row: each decodes what the one before gave (as a string, and its UTF-8 bytes), as
 * {@code [ksym, {regexp: "^tcp_"}]} keeps the kernel functions whose name starts with tcp_. A
 * dropped series stops the chain; an unknown value goes on as its fallback and is counted once.
 */
final class ChainDecoder implements LabelDecoder {
  private final List<LabelDecoder> decoders;

  ChainDecoder(List<LabelDecoder> decoders) {
    this.decoders = List.copyOf(decoders);
  }

  @Override
  public String decode(Object value, byte[] raw) {
    Object v = value;
    byte[] bytes = raw;
    boolean unknown = false;
    String out = null;
    for (LabelDecoder d : decoders) {
      try {
        out = d.decode(v, bytes);
      } catch (UnknownValue u) {
        unknown = true;
        out = u.fallback();
      }
      if (out == null) {
        break;
      }
      v = out;
      bytes = out.getBytes(StandardCharsets.UTF_8);
    }
    if (unknown) {
      throw new UnknownValue(out);
    }
    return out;
  }

  @Override
  public String refuses(int bytes) {
    return decoders.getFirst().refuses(bytes);
  }
}
