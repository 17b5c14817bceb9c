package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.testing.Hostile;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Fuzzing the record layer with hostile layouts, values, masks and paths (fixed seeds: the same
 * cases every run; {@code benchmarks/run fuzz} draws new ones). The only failures allowed are
 * bpfmap's own exceptions with one-line messages; this runs in its own JVM with a small heap and a
 * time limit (the {@code fuzz} surefire execution), so a stack overflow, an out-of-memory or a
 * hang fails it too.
 */
@Tag("fuzz")
class LayoutFuzzTest {
  @Provide
  Arbitrary<String> layoutTexts() {
    return Hostile.layoutTexts(LayoutGen.anyLayouts().map(RecordLayout::notation));
  }

  @Property(seed = "20261201")
  void layoutTextIsParsedOrRefusedInOneLine(@ForAll("layoutTexts") String text) {
    Throwable t = Hostile.outcome(() -> {
      RecordLayout l = RecordLayout.parse(text);
      assertThat(l.size()).isBetween(1, RecordLayout.MAX_SIZE);
      assertThat(l.leafPaths().size()).isLessThanOrEqualTo(RecordLayout.MAX_FIELDS);
      RecordLayout back = RecordLayout.parse(l.notation());
      assertThat(back).isEqualTo(l);
      assertThat(back.size()).isEqualTo(l.size());
    });
    assertThat(Hostile.accepted(t)).as("%s on %s", t, Hostile.class).isTrue();
  }

  @Provide
  Arbitrary<Object> trees() {
    return Hostile.trees(4);
  }

  @Property(seed = "20261202")
  void layoutTreesAreBuiltOrRefusedInOneLine(@ForAll("trees") Object tree) {
    Throwable t = Hostile.outcome(() -> {
      if (tree instanceof List<?> l) {
        RecordLayout.of(l);
      } else if (tree instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, ?> fields = (Map<String, ?>) m;
        RecordLayout.of(fields, ByteOrderMode.NATIVE);
      } else {
        RecordLayout.parse(String.valueOf(tree));
      }
    });
    assertThat(Hostile.accepted(t)).as("%s", t).isTrue();
  }

  @Provide
  Arbitrary<RecordLayout> layouts() {
    return LayoutGen.anyLayouts();
  }

  @Property(seed = "20261203")
  void hostileValuesArePackedOrRefusedInOneLine(@ForAll("layouts") RecordLayout layout, @ForAll("trees") Object junk,
      @ForAll long seed) {
    Random r = new Random(seed);
    Map<String, Object> value = LayoutGen.value(layout, r);
    List<String> leaves = layout.leafPaths();
    net.jqwik.api.Assume.that(!leaves.isEmpty());
    String leaf = leaves.get(r.nextInt(leaves.size()));
    Throwable t = Hostile.outcome(() -> {
      byte[] packed = layout.pack(replace(value, leaf, junk));
      assertThat(packed).hasSize(layout.size());
    });
    assertThat(Hostile.accepted(t)).as("%s putting %s at %s", t, junk, leaf).isTrue();
    byte[] bytes = new byte[r.nextInt(2 * layout.size() + 2)];
    r.nextBytes(bytes);
    assertThat(Hostile.accepted(Hostile.outcome(() -> layout.unpack(bytes)))).isTrue();
  }

  @Property(seed = "20261204")
  void masksAndPathsAreCompiledOrRefusedInOneLine(@ForAll("layouts") RecordLayout layout, @ForAll("trees") Object shape,
      @ForAll("paths") String path) {
    Throwable mask = Hostile.outcome(() -> PermissionMask.of(shape).compile(layout));
    assertThat(Hostile.accepted(mask)).as("%s", mask).isTrue();
    Throwable accessor = Hostile.outcome(() -> layout.accessor(path));
    assertThat(Hostile.accepted(accessor)).as("%s", accessor).isTrue();
    Throwable offset = Hostile.outcome(() -> layout.offsetOf(path));
    assertThat(Hostile.accepted(offset)).as("%s", offset).isTrue();
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.oneOf(Arbitraries.of("f0", "f0[0]", "f0[99999999999]", "f1.f0", "[0]", ".", "", "f0.", "f0[",
        "f0[-1]", "f0[1].f2"), Hostile.names());
  }

  /** {@code value} with the leaf at {@code path} replaced by {@code junk}. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> replace(Map<String, Object> value, String path, Object junk) {
    Object node = value;
    String[] parts = path.split("(?=\\[)|\\.");
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      boolean last = i == parts.length - 1;
      if (p.startsWith("[")) {
        List<Object> list = (List<Object>) node;
        int at = Integer.parseInt(p.substring(1, p.length() - 1));
        if (last) {
          list.set(at, junk);
        } else {
          node = list.get(at);
        }
      } else {
        Map<String, Object> map = (Map<String, Object>) node;
        if (last) {
          map.put(p, junk);
        } else {
          node = map.get(p);
        }
      }
    }
    return value;
  }
}
