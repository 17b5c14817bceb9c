package io.bpfmap.core.testing;

import io.bpfmap.core.BpfException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Inputs an attacker or a careless user could give bpfmap (layout text, JSON/YAML trees, values),
 * and the one rule for what may come out of them: success, or one of bpfmap's own exceptions
 * with a one-line message. The fuzz tests (fixed seeds, in CI) and {@code benchmarks/run fuzz}
 * (random seeds, many more cases) share them.
 */
public final class Hostile {
  private static final String ALPHABET = "0123456789QqBbHhIiLlxcsp?efdP@=<>!![]{}\",: .*\\\n\t\u0000\u00e9Zk-";
  private static final List<String> PIECES = List.of("1048576", "99999999999", "2147483647", "65536", "0",
      "-1", "[[\"a\",\"Q\"]]", "[\"2Q\"]", "{\"a\":\"Q\",\"a\":\"B\"}", "\"1048576s\",", "[[", "]]", "null", "1e39",
      "\"\\u0000\"", "@", "=");

  private Hostile() {}

  /** What an input may lead to: nothing, or a bpfmap exception whose message is one non-empty line. */
  public static boolean accepted(Throwable t) {
    if (t == null) {
      return true;
    }
    boolean ours = t instanceof BpfException || t.getClass().getSimpleName().equals("CliException");
    String m = t.getMessage();
    return ours && m != null && !m.isBlank() && m.indexOf('\n') < 0 && m.indexOf('\r') < 0 && m.length() < 4096;
  }

  /** Runs {@code action}; returns what it threw (null when nothing), keeping Errors too. */
  public static Throwable outcome(Runnable action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** Text around the layout notation: valid layouts, cut, spliced and salted with hostile pieces. */
  public static Arbitrary<String> layoutTexts(Arbitrary<String> valid) {
    Arbitrary<String> noise = Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(80);
    Arbitrary<String> piece = Arbitraries.of(PIECES);
    Arbitrary<String> spliced = Combinators.combine(valid, piece, Arbitraries.integers().between(0, 1000),
        Arbitraries.integers().between(1, 300)).as((v, p, at, times) -> {
          int i = Math.min(at, v.length());
          return v.substring(0, i) + p.repeat(Math.min(times, 4096 / Math.max(1, p.length()))) + v.substring(i);
        });
    Arbitrary<String> cut = Combinators.combine(valid, Arbitraries.integers().between(0, 1000))
        .as((v, at) -> v.substring(0, Math.min(at, v.length())));
    Arbitrary<String> repeated = Combinators.combine(Arbitraries.of("=", "@", "<", ""),
        Arbitraries.of("1048576s", "Q", "65536B", "8Q", "x", "1048576Q", "3p", "e"), Arbitraries.integers().between(1, 5000))
        .as((order, token, n) -> order + token.repeat(n));
    Arbitrary<String> nested = Arbitraries.integers().between(1, 3000)
        .map(n -> "[[\"a\",".repeat(n) + "\"Q\"" + "]]".repeat(n));
    return Arbitraries.frequencyOf(Tuple.of(3, spliced), Tuple.of(2, cut), Tuple.of(2, repeated), Tuple.of(1, nested),
        Tuple.of(2, noise), Tuple.of(1, valid));
  }

  /** JSON/YAML-like trees: maps, lists and every kind of leaf, nested up to {@code depth}. */
  public static Arbitrary<Object> trees(int depth) {
    Arbitrary<Object> leaf = values();
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<Object> list = Arbitraries.lazy(() -> trees(depth - 1)).list().ofMaxSize(4).map(l -> (Object) l);
    Arbitrary<Object> pair = Combinators.combine(names(), Arbitraries.lazy(() -> trees(depth - 1)))
        .as((n, v) -> (Object) Arrays.asList(n, v));
    Arbitrary<Object> map = Arbitraries.maps(names(), Arbitraries.lazy(() -> trees(depth - 1))).ofMaxSize(4)
        .map(m -> (Object) new LinkedHashMap<>(m));
    Arbitrary<Object> fields = pair.list().ofMinSize(1).ofMaxSize(4).map(l -> (Object) l);
    return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(2, list), Tuple.of(2, map), Tuple.of(3, fields));
  }

  /** Field names, including the ones no field may have. */
  public static Arbitrary<String> names() {
    return Arbitraries.oneOf(Arbitraries.of("a", "b", "data", "f0", "*", "", "a.b", "x[1]", "n\nm", "\u0000pad",
            "pad", "secret", "level2_1"),
        Arbitraries.strings().withChars(ALPHABET.toCharArray()).ofMaxLength(12));
  }

  /** Leaves of every type a decoder, a packer or a config may meet. */
  public static Arbitrary<Object> values() {
    return Arbitraries.oneOf(
        Arbitraries.of("Q", "B", "8Q", "16s", "1048576Q", "R", "W", "X", "x", "snapshot", "drain", "1s",
            "99999999999999999999s", "9223372036854775807h", "-5", "", "two\nlines", "127.0.0.1:1", "lz4"),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.of(Long.MIN_VALUE, -1L, 0L, 255L, 256L, 65536L, (long) Integer.MAX_VALUE + 1).map(l -> (Object) l),
        Arbitraries.of(1e39, -1e10, Double.NaN, Double.POSITIVE_INFINITY, 65505.0, 3.5).map(d -> (Object) d),
        Arbitraries.of(new BigInteger("18446744073709551616"), new BigInteger("-1"), BigInteger.TWO.pow(70))
            .map(b -> (Object) b),
        Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("0.5")).map(b -> (Object) b),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(b -> (Object) b),
        Arbitraries.just(new LinkedHashSet<>(Arrays.asList(1L, null))),
        Arbitraries.just(new ArrayList<>(Arrays.asList((Object) null))),
        Arbitraries.just(Map.of()),
        Arbitraries.just(List.of())).injectNull(0.05);
  }
}
