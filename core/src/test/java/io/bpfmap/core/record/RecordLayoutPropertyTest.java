package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** pack and unpack are inverses, and the JSON writer says what unpack says, for random layouts. */
class RecordLayoutPropertyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Provide
  Arbitrary<RecordLayout> layouts() {
    return LayoutGen.layouts();
  }

  @Property(tries = 3000)
  void packOfUnpackGivesBackTheBytesExceptPads(@ForAll("layouts") RecordLayout layout, @ForAll long seed) {
    byte[] bytes = LayoutGen.canonicalBytes(layout, new Random(seed));
    assertThat(layout.pack(layout.unpack(bytes))).isEqualTo(LayoutGen.zeroPads(layout, bytes));
  }

  @Property(tries = 3000)
  void unpackOfPackGivesBackTheValue(@ForAll("layouts") RecordLayout layout, @ForAll long seed) {
    Map<String, Object> value = LayoutGen.value(layout, new Random(seed));
    assertThat(normalize(layout.unpack(layout.pack(value)))).isEqualTo(normalize(value));
  }

  @Property(tries = 3000)
  void jsonWriterAgreesWithUnpack(@ForAll("layouts") RecordLayout layout, @ForAll long seed) throws Exception {
    byte[] bytes = LayoutGen.canonicalBytes(layout, new Random(seed));
    JsonNode json = JSON.readTree(layout.jsonWriter().toJson(bytes));
    agree(layout.root(), layout.unpack(bytes), json, "");
  }

  /** Compares a JSON node with the unpacked value by the text rules of SPEC §4. */
  private static void agree(LayoutNode n, Object v, JsonNode json, String path) {
    switch (n) {
      case Struct st -> {
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(json.size()).as(path).isEqualTo(m.size());
        for (Field f : st.fields()) {
          if (!f.isPad()) {
            agree(f.node(), m.get(f.name()), json.get(f.name()), path + "." + f.name());
          }
        }
      }
      case ArrayOf a -> {
        List<?> l = (List<?>) v;
        assertThat(json.size()).as(path).isEqualTo(l.size());
        for (int i = 0; i < l.size(); i++) {
          agree(a.elements().get(i), l.get(i), json.get(i), path + "[" + i + "]");
        }
      }
      case Scalar s -> scalar(s, v, json, path);
    }
  }

  private static void scalar(Scalar s, Object v, JsonNode json, String path) {
    switch (v) {
      case byte[] b -> assertThat(json.textValue()).as(path).isEqualTo(CString.toText(b));
      case Boolean b -> assertThat(json.booleanValue()).as(path).isEqualTo(b);
      case Float f when f.isNaN() || f.isInfinite() -> assertThat(json.textValue()).as(path).isEqualTo(f.toString());
      case Double d when d.isNaN() || d.isInfinite() -> assertThat(json.textValue()).as(path).isEqualTo(d.toString());
      case Float f -> assertThat(Float.parseFloat(json.asText())).as(path).isEqualTo(f);
      case Double d -> assertThat(json.doubleValue()).as(path).isEqualTo(d);
      case Long l when new FieldAccessor(path, s, new Codec(java.nio.ByteOrder.nativeOrder())).unsigned64() ->
          assertThat(json.bigIntegerValue()).as(path).isEqualTo(new BigInteger(Long.toUnsignedString(l)));
      case Number x -> assertThat(json.longValue()).as(path).isEqualTo(x.longValue());
      default -> throw new AssertionError(path + ": unexpected " + v);
    }
  }

  /** byte[] compared by content; numbers by type and value. */
  private static Object normalize(Object v) {
    if (v instanceof byte[] b) {
      return "bytes" + Arrays.toString(b);
    }
    if (v instanceof Map<?, ?> m) {
      return m.entrySet().stream().map(e -> Map.entry(e.getKey(), normalize(e.getValue()))).toList();
    }
    if (v instanceof List<?> l) {
      return l.stream().map(RecordLayoutPropertyTest::normalize).toList();
    }
    return v == null ? "null" : v.getClass().getSimpleName() + ":" + v;
  }
}
