package io.bpfmap.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.testing.JsonTexts;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The plain reader against Jackson's: the same tree, number classes included, or no answer. */
class PlainJsonTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Property(tries = 2000)
  void plainTextIsReadIntoJacksonsTree(@ForAll("plain") String text) throws JsonProcessingException {
    Object jackson = JACKSON.readValue(text, Object.class);
    assertThat(PlainJson.read(text)).as(text).contains(jackson);
    assertThat(StrictJson.read(text)).isEqualTo(jackson);
  }

  @Property(tries = 2000)
  void anyCharacterIsEitherReadAsJacksonReadsItOrLeftToJackson(@ForAll("anyChars") String text)
      throws JsonProcessingException {
    Object jackson = JACKSON.readValue(text, Object.class);
    PlainJson.read(text).ifPresent(tree -> assertThat(tree).as(text).isEqualTo(jackson));
    assertThat(StrictJson.read(text)).isEqualTo(jackson);
  }

  @Property(tries = 3000)
  void brokenTextIsLeftToJacksonAndWhatJacksonReadsIsReadAlike(@ForAll("mutated") String text) {
    JsonTexts.assertReadAlikeOrLeft(text, "Jackson", t -> JACKSON.readValue(t, Object.class));
  }

  @Test
  void numbersTakeTheSmallestClassThatHoldsThem() {
    assertThat(PlainJson.read("[0, -0, 2147483647, 2147483648, -2147483649, 9223372036854775807, 9223372036854775808,"
        + " -9223372036854775808, 1.5, -0.0]")).contains(List.of(0, 0, Integer.MAX_VALUE, 2147483648L, -2147483649L,
            Long.MAX_VALUE, new BigInteger("9223372036854775808"), Long.MIN_VALUE, 1.5, -0.0));
    assertThat(PlainJson.read(" {\"a\" :\r\n{\"b\":[true,false,null]}}\n"))
        .contains(Map.of("a", Map.of("b", java.util.Arrays.asList(true, false, null))));
  }

  @Test
  void whatItDoesNotTakeIsLeftToJacksonAndItsErrors() {
    for (String text : List.of("", " ", "null", "1e5", "[1E5]", "01", "[-]", "[1.]", "[1,]", "{\"a\":1,}", "{a:1}",
        "'x'", "\"\u0001\"", "\"\u007f\"", "\"\ud800\"", "\"\\x\"", "\"\\u12\"", "[", "[1] x", "tru", "{\"a\":1,\"a\":2}",
        "[\"\\/\"]", "[\"\\u\u0660\u0660\u0664\u0661\"]", "[\"\\uＡＡＡＡ\"]", "{\"a\":\t1}", "[\"x\u2028 y\"]", "[\"\u2029\"]", "{\"\":0}",
        "{\"" + "k".repeat(PlainJson.MAX_KEY + 1) + "\":0}", "[1" + "0".repeat(PlainJson.MAX_NUMBER) + "]",
        "[".repeat(PlainJson.MAX_DEPTH + 2) + "]".repeat(PlainJson.MAX_DEPTH + 2))) {
      assertThat(PlainJson.read(text)).as(text).isEmpty();
    }
    assertThat(PlainJson.read("[".repeat(PlainJson.MAX_DEPTH + 1) + "]".repeat(PlainJson.MAX_DEPTH + 1))).isPresent();
    assertThat(PlainJson.read("{\"" + "k".repeat(PlainJson.MAX_KEY) + "\":1" + "0".repeat(PlainJson.MAX_NUMBER - 1) + "}"))
        .isPresent();
    assertThat(PlainJson.read("[\"\\u00e9\\u20AC\"]")).contains(List.of("é€"));
    assertThatThrownBy(() -> StrictJson.read("{\"a\":1,\"a\":2}")).isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> StrictJson.read("[1,")).isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("Unexpected end-of-input");
  }

  @Provide
  Arbitrary<String> plain() {
    return JsonTexts.documents(" \r\n", Arbitraries.chars().range(' ', '~').with('é', '€', '\n', '\u0000'));
  }

  @Provide
  Arbitrary<String> mutated() {
    return JsonTexts.mutated(plain());
  }

  @Provide
  Arbitrary<String> anyChars() {
    return JsonTexts.documents(" \t\n", Arbitraries.chars());
  }
}
