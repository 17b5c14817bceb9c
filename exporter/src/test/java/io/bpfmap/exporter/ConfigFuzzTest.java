package io.bpfmap.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.testing.Hostile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Fuzzing the daemon's config: SPEC's example with a random value replaced by a hostile one, or a
 * random key added, is accepted or refused in one line naming where (runs in the bounded "fuzz" JVM).
 */
@Tag("fuzz")
class ConfigFuzzTest {
  @Provide
  Arbitrary<Object> junk() {
    return Hostile.trees(3);
  }

  @Property(seed = "20261205")
  void aConfigWithAHostileValueIsAcceptedOrRefusedInOneLine(@ForAll("junk") Object junk, @ForAll long seed)
      throws Exception {
    Object tree = copy(Inputs.yaml().readValue(ConfigTest.SPEC_EXAMPLE, Object.class));
    Random r = new Random(seed);
    List<Object[]> slots = new ArrayList<>();
    slots(tree, slots);
    Object[] slot = slots.get(r.nextInt(slots.size()));
    @SuppressWarnings("unchecked")
    Map<String, Object> parent = (Map<String, Object>) slot[0];
    if (r.nextInt(4) == 0) {
      parent.put(String.valueOf(Hostile.names().sample()), junk);
    } else {
      parent.put((String) slot[1], junk);
    }
    Throwable t = Hostile.outcome(() -> Config.parse(tree));
    assertThat(Hostile.accepted(t)).as("%s for %s", t, junk).isTrue();
  }

  /** Every (map, key) of the tree, to replace one of them. */
  @SuppressWarnings("unchecked")
  private static void slots(Object node, List<Object[]> out) {
    if (node instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        out.add(new Object[] {m, k});
        slots(m.get(k), out);
      }
    } else if (node instanceof List<?> l) {
      l.forEach(e -> slots(e, out));
    }
  }

  private static Object copy(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(e -> out.add(copy(e)));
      return out;
    }
    return node;
  }
}
