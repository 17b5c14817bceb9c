package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's README examples and the value rules of SPEC §4, without a kernel. */
class RecordLayoutTest {
  private static final RecordLayout TWELVE = RecordLayout.of(List.of(
      List.of("byte_field1", "B"), List.of("byte_field2", "B"),
      List.of("2byte_padding", "H"), List.of("8_byte_unsigned_long", "Q")));

  @Test
  void seedTwelveByteRecordUnpacksToNamedFieldsInOrder() {
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    b.put((byte) 1).put((byte) 0xFE).putShort((short) 0xBEEF).putLong(-2L);
    Map<String, Object> v = TWELVE.unpack(b.array());
    assertThat(TWELVE.size()).isEqualTo(12);
    assertThat(v).containsExactly(Map.entry("byte_field1", (short) 1), Map.entry("byte_field2", (short) 254),
        Map.entry("2byte_padding", 0xBEEF), Map.entry("8_byte_unsigned_long", -2L));
    assertThat(TWELVE.pack(v)).isEqualTo(b.array());
    assertThat(new String(TWELVE.jsonWriter().toJson(b.array()), StandardCharsets.UTF_8)).isEqualTo(
        "{\"byte_field1\":1,\"byte_field2\":254,\"2byte_padding\":48879,\"8_byte_unsigned_long\":18446744073709551614}");
  }

  @Test
  void seedArrayOfEightUnsignedLongs() {
    RecordLayout l = RecordLayout.of(List.of(List.of("byte_field1", "B"),
        List.of("array_of_8_long_ints", List.of("Q", "Q", "Q", "Q", "Q", "Q", "Q", "Q"))));
    assertThat(l.size()).isEqualTo(65);
    Map<String, Object> v = Map.of("byte_field1", 7, "array_of_8_long_ints", List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, -1L));
    Map<String, Object> back = l.unpack(l.pack(v));
    assertThat(back.get("array_of_8_long_ints")).isEqualTo(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, -1L));
    assertThat(l.offsetOf("array_of_8_long_ints[2]")).isEqualTo(17);
    assertThat(RecordLayout.of(List.of(List.of("byte_field1", "B"), List.of("array_of_8_long_ints", "8Q"))))
        .as("8Q is the same array").isEqualTo(l);
  }

  @Test
  void seedNestedStruct() {
    RecordLayout l = RecordLayout.of(List.of(List.of("byte_field1", "B"),
        List.of("nested_struct", List.of(List.of("level2_1", "Q"), List.of("level2_2", "B")))));
    assertThat(l.size()).isEqualTo(10);
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("level2_1", 1L << 40);
    nested.put("level2_2", 200);
    byte[] bytes = l.pack(Map.of("byte_field1", 1, "nested_struct", nested));
    assertThat(l.unpack(bytes)).isEqualTo(Map.of("byte_field1", (short) 1,
        "nested_struct", Map.of("level2_1", 1L << 40, "level2_2", (short) 200)));
    assertThat(l.offsetOf("nested_struct.level2_2")).isEqualTo(9);
  }

  @Test
  void structFormatStringNamesFieldsInOrder() {
    RecordLayout l = RecordLayout.parse("=BBHQ");
    assertThat(l.size()).isEqualTo(12);
    assertThat(l.leafPaths()).containsExactly("f0", "f1", "f2", "f3");
    RecordLayout s = RecordLayout.parse("<16s2x2Q");
    assertThat(s.size()).isEqualTo(34);
    assertThat(s.leafPaths()).containsExactly("f0", "f1", "f2");
    assertThat(s.order()).isEqualTo(ByteOrderMode.LITTLE);
  }

  @Test
  void nativeAlignedModeAlignsAndPadsTheTail() {
    RecordLayout l = RecordLayout.parse("@BBHQ");
    assertThat(l.size()).isEqualTo(16);
    assertThat(l.offsetOf("f3")).isEqualTo(8);
    RecordLayout tail = RecordLayout.of(List.of(List.of("a", "Q"), List.of("b", "B")), ByteOrderMode.NATIVE_ALIGNED);
    assertThat(tail.size()).isEqualTo(16);
    assertThat(RecordLayout.parse("@lP").size()).as("native long and pointer").isEqualTo(16);
    assertThat(RecordLayout.parse("=lL").size()).as("standard long").isEqualTo(8);
  }

  @Test
  void jsonTextAndObjectNotationParseLikeLists() {
    RecordLayout a = RecordLayout.parse("[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]");
    RecordLayout b = RecordLayout.parse("{\"uid\":\"Q\",\"gid\":\"Q\"}");
    assertThat(a).isEqualTo(b).isEqualTo(RecordLayout.of(List.of(List.of("uid", "Q"), List.of("gid", "Q"))));
    assertThat(RecordLayout.parse(">[[\"port\",\"H\"]]").order()).isEqualTo(ByteOrderMode.BIG);
    assertThat(a.notation()).isEqualTo("=[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]");
    assertThat(a.fingerprint()).hasSize(16).isEqualTo(b.fingerprint())
        .isNotEqualTo(RecordLayout.parse("<[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]").fingerprint());
  }

  @Test
  void bigEndianAndNetworkOrderWriteMostSignificantByteFirst() {
    RecordLayout l = RecordLayout.parse("!HI");
    byte[] b = l.pack(Map.of("f0", 0x0102, "f1", 0x03040506L));
    assertThat(b).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void everyLetterHasItsJavaType() {
    RecordLayout l = RecordLayout.parse("=cbB?hHiIlLqQefd3s3p");
    Map<String, Object> v = l.unpack(new byte[l.size()]);
    assertThat(v.values()).extracting(o -> o.getClass().getSimpleName()).containsExactly(
        "byte[]", "Byte", "Short", "Boolean", "Short", "Integer", "Integer", "Long", "Integer", "Long",
        "Long", "Long", "Float", "Float", "Double", "byte[]", "byte[]");
  }

  @Test
  void unsignedLongAcceptsItsWholeRange() {
    RecordLayout l = RecordLayout.parse("=Q");
    BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    assertThat(l.unpack(l.pack(Map.of("f0", max)))).containsEntry("f0", -1L);
    assertThat(new String(l.jsonWriter().toJson(l.pack(Map.of("f0", max))), StandardCharsets.UTF_8))
        .isEqualTo("{\"f0\":18446744073709551615}");
  }

  @Test
  void stringsAreByteArraysInJavaAndCStringsInText() {
    RecordLayout l = RecordLayout.of(List.of(List.of("comm", "8s"), List.of("p", "4p")));
    byte[] b = l.pack(Map.of("comm", "nginx", "p", new byte[] {(byte) 0xFF, 'a'}));
    Map<String, Object> v = l.unpack(b);
    assertThat((byte[]) v.get("comm")).containsExactly('n', 'g', 'i', 'n', 'x', 0, 0, 0);
    assertThat((byte[]) v.get("p")).containsExactly(0xFF, 'a');
    assertThat(new String(l.jsonWriter().toJson(b), StandardCharsets.UTF_8))
        .isEqualTo("{\"comm\":\"nginx\",\"p\":\"\\\\xffa\"}");
  }

  @Test
  void halfFloatsKeepNanPayloads() {
    RecordLayout l = RecordLayout.parse("<e");
    byte[] signallingNan = {0x01, 0x7C};
    assertThat(l.pack(l.unpack(signallingNan))).isEqualTo(signallingNan);
  }
}
