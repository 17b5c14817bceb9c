package io.bpfmap.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every decoder, table-driven, without a kernel. */
class LabelDecoderTest {
  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "ipv4, 0a000001, 10.0.0.1",
      "ipv4, c0a801ff, 192.168.1.255",
      "ipv4, ffffffff, 255.255.255.255",
      "ipv6, 20010db8000000000000000000000001, 2001:db8::1",
      "ipv6, 00000000000000000000000000000001, ::1",
      "ipv6, 00000000000000000000000000000000, ::",
      "ipv6, 20010db8000000010000000000000001, 2001:db8:0:1::1",
      "ipv6, 20010db8000100000001000000000001, 2001:db8:1:0:1::1",
      "ipv6, fe800000000000000202b3fffe1e8329, fe80::202:b3ff:fe1e:8329",
      "ipv6, 20010db8aaaabbbbccccddddeeeeffff, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
      "hex, 0102abff, 0x0102abff",
      "cstring, 6e67696e780000, nginx",
      "cstring, ff41, \\xffA"})
  void bytesDecode(String decoder, String raw, String label) {
    assertThat(LabelDecoder.of(decoder).decode(hex(raw), hex(raw))).isEqualTo(label);
  }

  @ParameterizedTest(name = "unsigned {0} -> {1}")
  @CsvSource({"-1, 18446744073709551615", "42, 42", "0, 0", "9223372036854775807, 9223372036854775807"})
  void unsignedPrintsTheBitsOfALongUnsigned(long value, String label) {
    assertThat(LabelDecoder.of("unsigned").decode(value, new byte[8])).isEqualTo(label);
  }

  /** What a decoder gives: its label, {@code unknown:FALLBACK} for an unknown value, {@code drop} for none. */
  static String outcome(LabelDecoder d, Object value, byte[] raw) {
    try {
      String label = d.decode(value, raw);
      return label == null ? "drop" : label;
    } catch (UnknownValue u) {
      return "unknown:" + (u.fallback() == null ? "drop" : u.fallback());
    }
  }

  @ParameterizedTest(name = "enum {0} -> {1}")
  @CsvSource({"6, tcp", "17, udp", "1, unknown:1"})
  void enumNamesKnownNumbersAndKeepsTheOthers(long value, String label) {
    LabelDecoder d = LabelDecoder.of(Map.of("enum", Map.of(6, "tcp", "17", "udp")));
    assertThat(outcome(d, value, new byte[1])).isEqualTo(label);
    LabelDecoder dropping = LabelDecoder.of(Map.of("enum", Map.of(6, "tcp", "17", "udp"), "unknown", "drop"));
    assertThat(outcome(dropping, value, new byte[1])).isEqualTo(label.replace("unknown:1", "unknown:drop"));
  }

  @ParameterizedTest(name = "errno {0} -> {1}")
  @CsvSource({"2, ENOENT", "-2, ENOENT", "1, EPERM", "11, EAGAIN", "95, EOPNOTSUPP", "133, EHWPOISON", "0, unknown:0",
      "4000, unknown:4000", "-9999, unknown:-9999", "-9223372036854775808, unknown:-9223372036854775808"})
  void errnoNamesTheKernelsErrorNumbersSignedOrNot(long value, String label) {
    assertThat(outcome(LabelDecoder.of("errno"), value, new byte[8])).isEqualTo(label);
  }

  @ParameterizedTest(name = "syscall {0} {1} -> {2}")
  @CsvSource({"x86_64, 0, read", "x86_64, 1, write", "x86_64, 257, openat", "x86_64, 321, bpf", "x86_64, 435, clone3",
      "aarch64, 63, read", "aarch64, 64, write", "aarch64, 56, openat", "aarch64, 280, bpf", "aarch64, 435, clone3",
      "x86_64, 9999, unknown:9999", "aarch64, -1, unknown:-1"})
  void syscallNamesTheNumbersOfEachArchitecture(String arch, long value, String label) {
    assertThat(outcome(LabelDecoder.of(Map.of("syscall", arch)), value, new byte[4])).isEqualTo(label);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "tcp_v4_connect|tcp_v4_connect", "udp_sendmsg|drop", "x_tcp_y|x_tcp_y"})
  void aRegexpKeepsTheLabelsItIsFoundIn(String text, String label) {
    byte[] raw = (text + "\0\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(outcome(LabelDecoder.of(Map.of("regexp", "tcp_")), raw, raw)).isEqualTo(label);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"6|tcp", "17|drop", "1|unknown:drop", "99|unknown:drop"})
  void aChainDecodesWhatTheDecoderBeforeGave(long value, String label) {
    // a table (unknown numbers kept) then an allow-list: udp dropped, and an unknown number is no tcp either
    LabelDecoder chain = LabelDecoder.of(java.util.List.of(Map.of("enum", Map.of(6, "tcp", 17, "udp")),
        Map.of("regexp", "^tcp$")));
    assertThat(outcome(chain, value, new byte[1])).isEqualTo(label);
    // errno then an allow-list of its names
    LabelDecoder errnos = LabelDecoder.of(java.util.List.of("errno", Map.of("regexp", "^E(NOENT|PERM)$")));
    assertThat(outcome(errnos, -2L, new byte[4])).isEqualTo("ENOENT");
    assertThat(outcome(errnos, -11L, new byte[4])).isEqualTo("drop");
    assertThat(outcome(errnos, 4000L, new byte[4])).as("unknown, and not allowed").isEqualTo("unknown:drop");
    // numbers that a decoder before gave as text
    assertThat(outcome(LabelDecoder.of(java.util.List.of("cstring", "errno")), "2\0".getBytes(), "2\0".getBytes()))
        .isEqualTo("ENOENT");
    assertThat(outcome(LabelDecoder.of(java.util.List.of("cstring", "errno")), "x\0".getBytes(), "x\0".getBytes()))
        .isEqualTo("unknown:x");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "ipv4|01020304ff|ipv4 needs a 4-byte field, got 5 bytes",
      "ipv6|0102|ipv6 needs a 16-byte field, got 2 bytes"})
  void wrongWidthsAreRefused(String decoder, String raw, String message) {
    assertThatThrownBy(() -> LabelDecoder.of(decoder).decode(hex(raw), hex(raw))).hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "base64|unknown label decoder 'base64' (" + Decoders.NAMES + ")"})
  void unknownDecodersAreRefused(String name, String message) {
    assertThatThrownBy(() -> LabelDecoder.of(name)).hasMessage(message);
    assertThatThrownBy(() -> LabelDecoder.of(Map.of("enum", Map.of("six", "tcp"))))
        .hasMessage("enum key 'six' is not a number");
    assertThatThrownBy(() -> LabelDecoder.of(Map.of("enum", Map.of(6, "tcp"), "unknown", "hide")))
        .hasMessage("enum unknown: expected keep or drop, got 'hide'");
    assertThatThrownBy(() -> LabelDecoder.of(Map.of("regexp", "tcp_(")))
        .hasMessage("regexp 'tcp_(' does not compile: Unclosed group");
    assertThatThrownBy(() -> LabelDecoder.of(Map.of("syscall", "riscv64")))
        .hasMessage("syscall: no table for architecture 'riscv64' (x86_64, aarch64)");
    assertThatThrownBy(() -> LabelDecoder.of(java.util.List.of())).hasMessage("a chain of decoders needs at least one");
    assertThat(LabelDecoder.of("ksym").refuses(4)).isEqualTo("ksym needs an 8-byte field, got 4 bytes");
    assertThat(LabelDecoder.of(java.util.List.of("cgroup", Map.of("regexp", "x"))).refuses(4))
        .isEqualTo("cgroup needs an 8-byte field, got 4 bytes");
    assertThat(LabelDecoder.of("errno").refuses(16)).isEqualTo("errno needs a field of at most 8 bytes, got 16 bytes");
  }
}
