package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every bad layout, value and buffer fails with the path of the bad field. */
class RecordLayoutErrorTest {
  private static List<Object> f(String name, Object format) {
    return List.of(name, format);
  }

  private static final RecordLayout NESTED = RecordLayout.of(List.of(f("a", "B"),
      f("nested", List.of(f("level2_1", "Q"), f("level2_2", "B"))), f("data", "4H")));

  @Test
  void unionMembersGivenTogetherMustAgreeOnTheirBytes() {
    RecordLayout named = RecordLayout.parse("[[\"tag\",\"B\"],[\"u\",{\".union\":[4,[\"w\",\"I\"],[\"h\",\"2H\"]]}]]");
    byte[] agreed = named.pack(Map.of("tag", 7, "u", Map.of("w", 131073L, "h", List.of(1, 2))));
    org.assertj.core.api.Assertions.assertThat(named.unpack(agreed)).hasToString("{tag=7, u={w=131073, h=[1, 2]}}");
    org.assertj.core.api.Assertions.assertThat(named.unpack(named.pack(Map.of("tag", 7, "u", Map.of("h", List.of(1, 2))))))
        .isEqualTo(named.unpack(agreed));
    assertThatThrownBy(() -> named.pack(Map.of("tag", 7, "u", Map.of("w", 1L, "h", List.of(1, 2)))))
        .isInstanceOf(LayoutException.class)
        .hasMessage("u.w: differs from h where they share the union's bytes: give one member, or values that agree");
  }

  @Test
  void unknownLetter() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("nested", List.of(f("level2_1", "Z"))))))
        .isInstanceOf(LayoutException.class).hasMessage("nested.level2_1: unknown format 'Z'");
    assertThatThrownBy(() -> RecordLayout.parse("=BBZ")).hasMessage("f2: unknown format 'Z'");
  }

  @Test
  void emptyStruct() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("nested", Map.of())))).hasMessage("nested: empty struct");
    assertThatThrownBy(() -> RecordLayout.of(List.of())).hasMessage("empty struct");
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("nested", List.of()))))
        .hasMessage("nested: empty struct or array");
  }

  @Test
  void duplicateFieldName() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("x", List.of(f("a", "B"), f("a", "Q"))))))
        .hasMessage("x.a: duplicate field name 'a'");
  }

  @Test
  void badRepeatCount() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("data", "0Q"))))
        .hasMessage("data: bad repeat count in '0Q' (1..1048576)");
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("data", "99999999999Q"))))
        .hasMessage("data: bad repeat count in '99999999999Q' (1..1048576)");
  }

  @Test
  void otherBadShapes() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("a", "QQ"))))
        .hasMessage("a: one format per field, got 'QQ' (use a list for an array)");
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("a", "<Q"))))
        .hasMessage("a: byte order '<' is allowed only at the start of a layout");
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("a", "P"))))
        .hasMessage("a: format 'P' needs the native byte order '@'");
    assertThatThrownBy(() -> RecordLayout.of(List.of(f("a.b", "Q"))))
        .hasMessage("a.b: bad field name 'a.b' (no '.', '[', ']', control characters, not empty)");
    assertThatThrownBy(() -> RecordLayout.of(List.of("Q", "Q")))
        .hasMessage("a layout is a list of [name, format] fields or one struct format string, not [Q, Q]");
    assertThatThrownBy(() -> RecordLayout.parse("[[\"a\",\"Q\"]")).hasMessageStartingWith("bad JSON layout: ");
  }

  @Test
  void valueOutOfRangeForItsFormat() {
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 256, "nested", Map.of("level2_1", 1, "level2_2", 0),
        "data", List.of(1, 2, 3, 4)))).hasMessage("a: 256 is out of range for 'B' (0..255)");
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 1, "nested", Map.of("level2_1", -1, "level2_2", 0),
        "data", List.of(1, 2, 3, 4)))).hasMessage("nested.level2_1: -1 is out of range for 'Q' (0..18446744073709551615)");
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 1, "nested", Map.of("level2_1", 1, "level2_2", 0),
        "data", List.of(1, 2, 70000, 4)))).hasMessage("data[2]: 70000 is out of range for 'H' (0..65535)");
    assertThatThrownBy(() -> RecordLayout.parse("=e").pack(Map.of("f0", 1e6)))
        .hasMessage("f0: 1000000.0 is out of range for 'e' (at most 65504 in magnitude)");
    assertThatThrownBy(() -> RecordLayout.parse("=4s").pack(Map.of("f0", "toolong")))
        .hasMessage("f0: 7 bytes do not fit 's' (at most 4)");
    assertThatThrownBy(() -> RecordLayout.parse("=i").pack(Map.of("f0", "12")))
        .hasMessage("f0: expected an integer for 'i', got String 12");
  }

  @Test
  void missingFieldInPack() {
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 1, "nested", Map.of("level2_1", 1), "data", List.of(1, 2, 3, 4))))
        .hasMessage("nested.level2_2: missing field");
  }

  @Test
  void extraFieldInPack() {
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 1, "nested", Map.of("level2_1", 1, "level2_2", 0, "extra", 5),
        "data", List.of(1, 2, 3, 4)))).hasMessage("nested.extra: no such field in the layout");
    assertThatThrownBy(() -> NESTED.pack(Map.of("a", 1, "nested", Map.of("level2_1", 1, "level2_2", 0),
        "data", List.of(1, 2, 3)))).hasMessage("data: expected 4 elements, got 3");
  }

  @Test
  void bufferShorterOrLongerThanTheLayout() {
    assertThatThrownBy(() -> NESTED.unpack(new byte[8])).hasMessage("buffer is 8 bytes, the layout needs 18 bytes");
    assertThatThrownBy(() -> NESTED.unpack(new byte[20])).hasMessage("buffer is 20 bytes, the layout is 18 bytes");
  }

  @Test
  void accessorPathsAreChecked() {
    assertThatThrownBy(() -> NESTED.accessor("nested.nope")).hasMessage("nested.nope: no such field");
    assertThatThrownBy(() -> NESTED.accessor("data[4]")).hasMessage("data[4]: no such element");
    assertThatThrownBy(() -> NESTED.accessor("nested")).hasMessage("nested: is a struct or an array, not a number");
    assertThatThrownBy(() -> RecordLayout.parse("=4s").accessor("f0")).hasMessage("f0: is a 's' field, not a number");
    assertThatThrownBy(() -> RecordLayout.parse("=d").accessor("f0").getLong(java.lang.foreign.MemorySegment.ofArray(new byte[8])))
        .hasMessage("f0: is a floating-point field: read it with getDouble");
  }
}
