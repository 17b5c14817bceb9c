package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.record.LayoutNode.ArrayOf;
import io.bpfmap.core.record.LayoutNode.Bits;
import io.bpfmap.core.record.LayoutNode.Chars;
import io.bpfmap.core.record.LayoutNode.Field;
import io.bpfmap.core.record.LayoutNode.Scalar;
import io.bpfmap.core.record.LayoutNode.Struct;
import io.bpfmap.core.record.LayoutNode.Union;
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

  @Provide
  Arbitrary<RecordLayout> anyLayouts() {
    return LayoutGen.anyLayouts();
  }

  @Property(tries = 5000)
  void packOfUnpackGivesBackTheBytesExceptPads(@ForAll("anyLayouts") RecordLayout layout, @ForAll long seed) {
    byte[] bytes = LayoutGen.canonicalBytes(layout, new Random(seed));
    assertThat(layout.pack(layout.unpack(bytes))).isEqualTo(LayoutGen.zeroPads(layout, bytes));
  }

  @Property(tries = 3000)
  void unpackOfPackGivesBackTheValue(@ForAll("layouts") RecordLayout layout, @ForAll long seed) {
    Map<String, Object> value = LayoutGen.value(layout, new Random(seed));
    assertThat(normalize(layout.unpack(layout.pack(value)))).isEqualTo(normalize(value));
  }

  @Property(tries = 5000)
  void jsonWriterAgreesWithUnpack(@ForAll("anyLayouts") RecordLayout layout, @ForAll long seed) throws Exception {
    byte[] bytes = LayoutGen.canonicalBytes(layout, new Random(seed));
    JsonNode json = JSON.readTree(layout.jsonWriter().toJson(bytes));
    agree(layout.root(), layout.unpack(bytes), json, "");
  }

  @Provide
  Arbitrary<RecordLayout> explicitLayouts() {
    return LayoutGen.explicitLayouts();
  }

  @Property(tries = 2000)
  void explicitLayoutsUnpackWhatTheyPack(@ForAll("explicitLayouts") RecordLayout layout, @ForAll long seed) {
    Map<String, Object> value = LayoutGen.value(layout, new Random(seed));
    Map<String, Object> back = layout.unpack(layout.pack(value));
    within(value, back, "");
  }

  /** Every field of {@code value} is in {@code back} with the same value (a union's value names one member). */
  private static void within(Map<?, ?> value, Map<?, ?> back, String path) {
    for (Map.Entry<?, ?> e : value.entrySet()) {
      Object got = back.get(e.getKey());
      if (e.getValue() instanceof Map<?, ?> inner) {
        assertThat(got).as(path + "." + e.getKey()).isInstanceOf(Map.class);
        within(inner, (Map<?, ?>) got, path + "." + e.getKey());
      } else {
        assertThat(normalize(got)).as(path + "." + e.getKey()).isEqualTo(normalize(e.getValue()));
      }
    }
  }

  /** Compares a JSON node with the unpacked value by the text rules of SPEC §4. */
  private static void agree(LayoutNode n, Object v, JsonNode json, String path) {
    switch (n) {
      case Struct st when st.bare() -> agree(st.fields().get(0).node(), ((Map<?, ?>) v).get(st.fields().get(0).name()),
          json, path);
      case Struct st -> {
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(json.size()).as(path).isEqualTo(m.size());
        members(st.fields(), m, json, path);
      }
      case Union u -> {
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(json.size()).as(path).isEqualTo(m.size());
        members(u.members(), m, json, path);
      }
      case Bits b -> assertThat(json.bigIntegerValue()).as(path).isEqualTo(v instanceof BigInteger big ? big
          : !b.signed() && b.bits() == 64 ? new BigInteger(Long.toUnsignedString((Long) v)) : BigInteger.valueOf((Long) v));
      case LayoutNode.Enum e when v instanceof String name -> assertThat(json.textValue()).as(path).isEqualTo(name);
      case LayoutNode.Enum e -> assertThat(json.bigIntegerValue()).as(path).isEqualTo(e.format() == Format.UINT64
          ? new BigInteger(Long.toUnsignedString((Long) v)) : BigInteger.valueOf((Long) v));
      case Chars c -> chars(c, (byte[]) v, json, path);
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

  /** Members by name; those of an anonymous struct or union sit beside their parent's. */
  private static void members(List<Field> fields, Map<?, ?> m, JsonNode json, String path) {
    for (Field f : fields) {
      if (f.isAnonymous()) {
        members(f.members(), m, json, path);
      } else if (!f.isPad()) {
        assertThat(json.has(f.name())).as(path + "." + f.name()).isTrue();
        agree(f.node(), m.get(f.name()), json.get(f.name()), path + "." + f.name());
      }
    }
  }

  /** bpftool's rule: text when a NUL ends printable ASCII, else the chars as numbers. */
  private static void chars(Chars c, byte[] b, JsonNode json, String path) {
    int nul = -1;
    for (int i = 0; i < b.length && b[i] >= 0x20 && b[i] <= 0x7e || i < b.length && b[i] == 0; i++) {
      if (b[i] == 0) {
        nul = i;
        break;
      }
    }
    if (nul >= 0) {
      assertThat(json.textValue()).as(path).isEqualTo(new String(b, 0, nul, java.nio.charset.StandardCharsets.US_ASCII));
      return;
    }
    assertThat(json.isArray()).as(path).isTrue();
    for (int i = 0; i < b.length; i++) {
      assertThat(json.get(i).intValue()).as(path + "[" + i + "]").isEqualTo(c.signed() ? b[i] : b[i] & 0xFF);
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
