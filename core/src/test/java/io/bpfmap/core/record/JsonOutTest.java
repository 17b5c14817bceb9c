package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** JsonOut writes what Jackson's generator writes with its defaults, byte for byte. */
class JsonOutTest {
  private static final JsonFactory JSON = new JsonFactory();

  interface Write {
    void to(JsonGenerator g) throws IOException;
  }

  private static String jackson(Write w) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      w.to(g);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String ours(JsonOut out) {
    return new String(out.take(), StandardCharsets.UTF_8);
  }

  @Test
  void signedAndUnsignedNumbersMatchJackson() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    JsonOut out = new JsonOut();
    long[] edges = {0, 1, -1, 9, 10, 99, 100, 99_999_999, 100_000_000, 100_000_001, 10_000_000_000_000_000L,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, 1_000_000_000_000_000_001L,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
    for (int i = 0; i < 20_000; i++) {
      long v = i < edges.length ? edges[i] : random.nextLong() >> random.nextInt(64);
      assertThat(ours(out.number(v))).as("signed %d", v).isEqualTo(jackson(g -> g.writeNumber(v)));
      assertThat(ours(out.unsigned(v))).as("unsigned %d", v).isEqualTo(Long.toUnsignedString(v));
    }
  }

  @Test
  void everyEightDigitChunkIsExactAloneAndZeroPaddedInsideALargerNumber() {
    JsonOut out = new JsonOut();
    for (long v = 0; v < 100_000_000L; v += v < 200_000 ? 1 : 997) {
      assertThat(ours(out.number(v))).isEqualTo(Long.toString(v));
      long padded = 300_000_000L * 100_000_000L + v;
      assertThat(ours(out.number(padded))).isEqualTo(Long.toString(padded));
    }
  }

  @Test
  void floatsDoublesAndNonFiniteValuesMatchJackson() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    JsonOut out = new JsonOut();
    float[] floats = {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1e10f};
    for (float f : floats) {
      assertThat(ours(out.number(f))).as("float %s", f).isEqualTo(jackson(g -> g.writeNumber(f)));
    }
    for (int i = 0; i < 2000; i++) {
      double d = i == 0 ? Double.NaN : i == 1 ? Double.NEGATIVE_INFINITY : Double.longBitsToDouble(random.nextLong());
      assertThat(ours(out.number(d))).as("double %s", d).isEqualTo(jackson(g -> g.writeNumber(d)));
    }
  }

  @Test
  void stringsAreEscapedAndEncodedLikeJackson() throws IOException {
    String[] texts = {"", "nginx", "quote\" back\\slash /", "\b\t\n\f\r", "\u0000\u0001\u001f\u007f", "€ café",
        "\\xff from CString", "lone \ud800 surrogate \udfff"};
    JsonOut out = new JsonOut();
    for (String t : texts) {
      assertThat(ours(out.string(t.toCharArray(), 0, t.length()))).as(t).isEqualTo(jackson(g -> g.writeString(t)));
    }
  }

  @Test
  void charactersBeyondTheBmpAreUtf8NotEscapedPairs() throws IOException {
    String t = "😀 emoji";
    byte[] bytes = new JsonOut().string(t.toCharArray(), 0, t.length()).take();
    assertThat(bytes).isEqualTo(("\"" + t + "\"").getBytes(StandardCharsets.UTF_8));
    try (var p = JSON.createParser(bytes)) {
      p.nextToken();
      assertThat(p.getText()).isEqualTo(t);
    }
  }

  @Test
  void theBufferGrowsAndResets() {
    JsonOut out = new JsonOut();
    for (int i = 0; i < 1000; i++) {
      out.number(1_000_000_007L).raw(',');
    }
    assertThat(out.length()).isEqualTo(11_000);
    byte[] all = out.take();
    assertThat(new String(all, 0, 11, StandardCharsets.US_ASCII)).isEqualTo("1000000007,");
    assertThat(out.length()).isZero();
    assertThat(ours(out.nul().raw(',').bool(true).raw(',').bool(false))).isEqualTo("null,true,false");
  }
}
