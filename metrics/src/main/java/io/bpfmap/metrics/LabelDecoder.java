package io.bpfmap.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one key field into a label value. Gets the field's decoded value (as the layout decodes
 * it: numbers, or byte[] for {@code s}) and its raw bytes in memory order.
 */
public interface LabelDecoder {
  String decode(Object value, byte[] raw);

  /** Why this decoder cannot decode a field of {@code bytes} bytes; null when it can. */
  default String refuses(int bytes) {
    return null;
  }

  /** The size a decoder needs, as {@link #refuses} words it: {@code ipv4 needs a 4-byte field, got 8 bytes}. */
  static String needs(String name, int needed, int bytes) {
    return bytes == needed ? null : name + " needs a " + needed + "-byte field, got " + bytes + " bytes";
  }

  /**
   * A decoder by name: {@code unsigned}, {@code hex}, {@code ipv4}, {@code ipv6}, {@code cstring},
   * or an enum table given as a map ({@code {enum: {6: tcp, 17: udp}}}).
   */
  static LabelDecoder of(Object spec) {
    if (spec instanceof Map<?, ?> m && m.size() == 1 && m.get("enum") instanceof Map<?, ?> table) {
      Map<Long, String> names = new LinkedHashMap<>();
      table.forEach((k, v) -> {
        try {
          names.put(Long.parseLong(String.valueOf(k)), String.valueOf(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("enum key '" + k + "' is not a number");
        }
      });
      return new EnumDecoder(names);
    }
    return switch (String.valueOf(spec)) {
      case "unsigned" -> new UnsignedDecoder();
      case "hex" -> new HexDecoder();
      case "ipv4" -> new Ipv4Decoder();
      case "ipv6" -> new Ipv6Decoder();
      case "cstring" -> new CStringDecoder();
      default -> throw new IllegalArgumentException("unknown label decoder '" + spec
          + "' (unsigned, hex, ipv4, ipv6, cstring, or {enum: {number: name}})");
    };
  }
}
