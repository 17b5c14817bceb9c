package io.bpfmap.metrics;

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
   *     signed or not), a {@link Double} for a floating-point one, the same {@code byte[]} as
   *     {@code raw} for a string, char, pointer or pad field, and a {@link String} in a chain (what
   *     the decoder before gave)
   * @param raw the field's bytes in memory order (a fresh copy, never null)
   * @return the label value, or null to drop the event's series (an allow-list that does not match)
   * @throws UnknownValue when the decoder has no name for the value: counted, then its fallback
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
    String article = needed == 8 || needed == 11 || needed == 18 ? "an " : "a ";
    return bytes == needed ? null : name + " needs " + article + needed + "-byte field, got " + bytes + " bytes";
  }

  /**
   * A decoder by name, as a configuration gives it:
   * <ul>
   *   <li>{@code unsigned}, {@code hex}, {@code ipv4}, {@code ipv6}, {@code cstring} (or
   *       {@code string});
   *   <li>{@code ksym} (a kernel address as its function, {@code /proc/kallsyms}), {@code errno}
   *       ({@code 2} or {@code -2} as {@code ENOENT}), {@code syscall} (a system call's number as
   *       its name, on this machine's architecture; {@code {syscall: aarch64}} or {@code x86_64}
   *       for another), {@code cgroup} (a cgroup id as its cgroup v2 path), {@code ifname} (an
   *       interface index as its name), {@code majorminor} (a block device's {@code dev_t} as its
   *       name);
   *   <li>{@code {enum: {6: tcp, 17: udp}}}, a table (numbers it lacks stay numbers), with
   *       {@code unknown: drop} to drop their series instead;
   *   <li>{@code {regexp: "^tcp_"}}, an allow-list: a label the pattern is not found in drops its series;
   *   <li>a list of these, a chain: each decodes what the one before gave.
   * </ul>
   * A value a decoder has no name for is an {@link UnknownValue}: counted in
   * {@code bpfmap_labels_unknown_total{map,label}}, shown as its number or dropped.
   *
   * @param spec a decoder name, a one-entry map, or a list of them (as YAML parses it: keys may
   *     be strings or numbers)
   * @return a new decoder; thread-safe
   * @throws IllegalArgumentException for an unknown name, an enum key that is not a number, or a
   *     pattern that does not compile
   */
  static LabelDecoder of(Object spec) {
    if (spec instanceof java.util.List<?> chain) {
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("a chain of decoders needs at least one");
      }
      return new ChainDecoder(chain.stream().map(LabelDecoder::of).toList());
    }
    if (spec instanceof Map<?, ?> m) {
      return Decoders.of(m);
    }
    return switch (String.valueOf(spec)) {
      case "unsigned" -> new UnsignedDecoder();
      case "hex" -> new HexDecoder();
      case "ipv4" -> new Ipv4Decoder();
      case "ipv6" -> new Ipv6Decoder();
      case "cstring", "string" -> new CStringDecoder();
      case "ksym" -> new KsymDecoder(java.nio.file.Path.of("/proc/kallsyms"));
      case "errno" -> new NumberTableDecoder("errno", "errno.txt", true);
      case "syscall" -> Decoders.syscall(Decoders.arch());
      case "cgroup" -> new CgroupDecoder(CgroupDecoder.defaultRoot());
      case "ifname" -> new IfnameDecoder(java.nio.file.Path.of("/sys/class/net"));
      case "majorminor" -> new MajorMinorDecoder(java.nio.file.Path.of("/proc/partitions"));
      default -> throw new IllegalArgumentException("unknown label decoder '" + spec + "' (" + Decoders.NAMES + ")");
    };
  }

  /**
   * A field's value as a number, for the decoders of numbers: an integer field's bits, a string a
   * decoder before gave (decimal), or up to 8 bytes of another field in this machine's order.
   *
   * @param value as {@link #decode} gets it
   * @param what the decoder's name, for the error
   * @return the number
   * @throws UnknownValue for a string that is not a number (shown as it is)
   */
  static long number(Object value, String what) {
    return switch (value) {
      case Long l -> l;
      case Number n -> n.longValue();
      case Boolean b -> b ? 1 : 0;
      case String s -> {
        try {
          yield s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
          throw new UnknownValue(s);
        }
      }
      case byte[] b when b.length <= 8 -> {
        boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
        long v = 0;
        for (int i = 0; i < b.length; i++) {
          v = (v << 8) | (b[little ? b.length - 1 - i : i] & 0xFF);
        }
        yield v;
      }
      default -> throw new IllegalArgumentException(what + " decodes numbers, not " + value.getClass().getSimpleName());
    };
  }
}
