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

  @ParameterizedTest(name = "enum {0} -> {1}")
  @CsvSource({"6, tcp", "17, udp", "1, 1"})
  void enumNamesKnownNumbersAndKeepsTheOthers(long value, String label) {
    LabelDecoder d = LabelDecoder.of(Map.of("enum", Map.of(6, "tcp", "17", "udp")));
    assertThat(d.decode(value, new byte[1])).isEqualTo(label);
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
      "base64|unknown label decoder 'base64' (unsigned, hex, ipv4, ipv6, cstring, or {enum: {number: name}})"})
  void unknownDecodersAreRefused(String name, String message) {
    assertThatThrownBy(() -> LabelDecoder.of(name)).hasMessage(message);
    assertThatThrownBy(() -> LabelDecoder.of(Map.of("enum", Map.of("six", "tcp"))))
        .hasMessage("enum key 'six' is not a number");
  }
}
