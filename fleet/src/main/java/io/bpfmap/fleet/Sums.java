package io.bpfmap.fleet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;

/**
 * An aggregate's value in its store, and an entry's contribution to it: the JSON array
 * {@code [entries, sum1, sum2, …]}, exact (integers of any size, decimals as published).
 */
final class Sums {
  static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build()).enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  private Sums() {}

  /** One entry's contribution: {@code [1, its sum fields…]}. */
  static byte[] contribution(JsonNode record, FleetAggregate a) {
    ArrayNode out = JSON.createArrayNode().add(1);
    for (String path : a.sum()) {
      JsonNode v = FleetAggregate.at(record, path, true);
      out.add(v != null && v.isNumber() ? v.decimalValue() : BigDecimal.ZERO);
    }
    return write(out);
  }

  static BigDecimal[] read(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      BigDecimal[] out = new BigDecimal[n.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = n.get(i).decimalValue();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code total} plus or minus {@code part}; null (the row goes) when no entry is left. */
  static byte[] add(byte[] total, byte[] part, boolean plus) {
    BigDecimal[] t = total == null ? null : read(total);
    BigDecimal[] p = read(part);
    if (t == null) {
      t = new BigDecimal[p.length];
      java.util.Arrays.fill(t, BigDecimal.ZERO);
    }
    ArrayNode out = JSON.createArrayNode();
    for (int i = 0; i < p.length; i++) {
      BigDecimal base = i < t.length ? t[i] : BigDecimal.ZERO;
      out.add(plus ? base.add(p[i]) : base.subtract(p[i]));
    }
    return out.get(0).decimalValue().signum() <= 0 ? null : write(out);
  }

  private static byte[] write(ArrayNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
