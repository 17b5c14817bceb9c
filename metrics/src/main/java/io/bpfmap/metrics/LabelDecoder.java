package io.bpfmap.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one key field into a label value. Gets the field's decoded value (as the layout decodes
 * it: numbers, or byte[] for {@code s}) and its raw bytes in memory order.
 */
public interface LabelDecoder {
  /**
   * Decodes one key field of one event; called on the stream's thread for every event, so it
   * should be cheap and must not block.
   *
   * @param value the field's value: a {@link Long} for an integer field (its bits, whether
   *     signed or not), a {@link Double} for a floating-point one, and the same {@code byte[]} as
   *     {@code raw} for a string, char, pointer or pad field
   * @param raw the field's bytes in memory order (a fresh copy, never null)
   * @return the label value, never null
   * @throws IllegalArgumentException when the field has a size this decoder cannot read (see
   *     {@link #refuses})
   */
  String decode(Object value, byte[] raw);

  /**
   * Why this decoder cannot decode a field of {@code bytes} bytes; checked once when meters are
   * built (and when the exporter checks its config), so a wrong size fails at start rather than
   * per event. The default accepts every size.
   *
   * @param bytes the size of the key field in bytes
   * @return a one-line reason, or null when the decoder can decode such a field
   */
  default String refuses(int bytes) {
    return null;
  }

  /**
   * The size a decoder needs, as {@link #refuses} words it: {@code ipv4 needs a 4-byte field, got
   * 8 bytes}.
   *
   * @param name the decoder's name as a configuration gives it ({@code ipv4})
   * @param needed the only field size the decoder reads, in bytes
   * @param bytes the field's actual size in bytes
   * @return null when {@code bytes == needed}, else the reason
   */
  static String needs(String name, int needed, int bytes) {
    return bytes == needed ? null : name + " needs a " + needed + "-byte field, got " + bytes + " bytes";
  }

  /**
   * A decoder by name: {@code unsigned}, {@code hex}, {@code ipv4}, {@code ipv6}, {@code cstring},
   * or an enum table given as a map ({@code {enum: {6: tcp, 17: udp}}}). Numbers an enum table
   * lacks stay unsigned decimal.
   *
   * @param spec a decoder name, or a one-entry map {@code enum} to a table of number to name (as
   *     YAML parses it: keys may be strings or numbers)
   * @return a new decoder; stateless and thread-safe
   * @throws IllegalArgumentException for an unknown name, or an enum key that is not a number
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
