package io.bpfmap.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.internal.json.PlainJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random plain JSON texts, as a command line passes them: objects, arrays, strings with escapes,
 * integers of every size, decimals without exponents, booleans and nulls, with white space between
 * the tokens. For tests that compare a reader with Jackson.
 */
public final class JsonTexts {
  private JsonTexts() {}

  /**
   * {@return texts whose top level is an object or an array, white space drawn from {@code spaces}}
   * @param spaces the white space characters to put between tokens
   * @param chars the characters of strings (escaped when JSON needs it, and some at random)
   */
  public static Arbitrary<String> documents(String spaces, Arbitrary<Character> chars) {
    Arbitrary<String> leaf = Arbitraries.oneOf(integers(), decimals(), strings(chars),
        Arbitraries.of("true", "false", "null"));
    Arbitrary<String> two = Arbitraries.oneOf(leaf, containers(leaf, spaces, chars));
    return containers(Arbitraries.oneOf(leaf, containers(two, spaces, chars)), spaces, chars);
  }

  /**
   * {@return {@code documents} with one character put in, taken out or replaced at random: mostly
   * broken JSON (a lone quote or backslash, a stray digit, sign or letter)}
   * @param documents valid texts
   */
  public static Arbitrary<String> mutated(Arbitrary<String> documents) {
    Arbitrary<Character> significant = Arbitraries.of('{', '}', '[', ']', '"', ',', ':', '\\', 'u', '0', '7', 'e', 'E',
        '.', '-', '+', ' ', '\t', 'n', 't', 'f', 'x', '/', '\u0660');
    return Combinators.combine(documents, Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(0, 2),
        significant).as((text, where, how, c) -> {
          int at = where % (text.length() + 1);
          return switch (how) {
            case 0 -> text.substring(0, at) + c + text.substring(at);
            case 1 -> at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text + c;
            default -> at < text.length() ? text.substring(0, at) + c + text.substring(at + 1) : c + text;
          };
        });
  }

  /** A reader to compare {@link PlainJson} with: the tree of a text, or an exception when it refuses it. */
  @FunctionalInterface
  public interface Reader {
    /**
     * {@return the tree of {@code text}}
     * @param text the text
     * @throws Exception when it refuses the text
     */
    Object read(String text) throws Exception;
  }

  /**
   * Asserts that {@link PlainJson} leaves {@code text} (answers empty) where {@code reader}
   * refuses it, and otherwise reads it into the same tree or leaves it.
   * @param text the text
   * @param who the reader's name, for the failure's message
   * @param reader the reader
   */
  public static void assertReadAlikeOrLeft(String text, String who, Reader reader) {
    Object expected;
    try {
      expected = reader.read(text);
    } catch (Exception refused) {
      assertThat(PlainJson.read(text)).as("what " + who + " refuses: " + text).isEmpty();
      return;
    }
    PlainJson.read(text).ifPresent(tree -> assertThat(tree).as(text).isEqualTo(expected));
  }

  /** {@return ints, longs and integers beyond a long, of both signs} */
  public static Arbitrary<String> integers() {
    return Arbitraries.oneOf(Arbitraries.integers().map(String::valueOf), Arbitraries.longs().map(String::valueOf),
        Arbitraries.bigIntegers().between(BigInteger.TWO.pow(70).negate(), BigInteger.TWO.pow(70))
            .map(String::valueOf));
  }

  private static Arbitrary<String> decimals() {
    return Arbitraries.bigDecimals().between(BigDecimal.valueOf(-1e12), BigDecimal.valueOf(1e12)).ofScale(4)
        .map(BigDecimal::toPlainString);
  }

  private static Arbitrary<String> strings(Arbitrary<Character> chars) {
    return Combinators.combine(chars.list().ofMaxSize(12), Arbitraries.integers().between(0, 9).list().ofMaxSize(12))
        .as(JsonTexts::quote);
  }

  private static String quote(List<Character> chars, List<Integer> dice) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < chars.size(); i++) {
      char c = chars.get(i);
      int die = i < dice.size() ? dice.get(i) : 5;
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c < 0x20 || die == 0) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.append('"').toString();
  }

  private static Arbitrary<String> containers(Arbitrary<String> inner, String spaces, Arbitrary<Character> chars) {
    Arbitrary<String> space = Arbitraries.strings().withChars(spaces).ofMaxLength(2);
    Arbitrary<List<String>> names = Arbitraries.strings().withChars("abc_:\"\\ é").ofMinLength(1).ofMaxLength(4).list()
        .uniqueElements().ofMaxSize(5);
    Arbitrary<String> object = Combinators.combine(names, inner.list().ofSize(5), space, space).as((keys, values, a, b) -> {
      StringBuilder s = new StringBuilder("{").append(a);
      for (int i = 0; i < keys.size(); i++) {
        s.append(i == 0 ? "" : "," + b).append(quote(keys.get(i).chars().mapToObj(c -> (char) c).toList(), List.of()))
            .append(a.replaceAll("[^ ]", "")).append(':').append(b).append(values.get(i)); // YAML: one line
      }
      return s.append(b).append('}').toString();
    });
    Arbitrary<String> array = inner.list().ofMaxSize(5)
        .flatMap(items -> space.map(s -> "[" + s + String.join(s + "," + s, items) + "]"));
    return Arbitraries.oneOf(object, array);
  }
}
