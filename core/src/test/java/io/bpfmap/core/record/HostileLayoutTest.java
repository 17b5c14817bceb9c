package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.bpfmap.core.mask.PermissionMask;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Layouts and values an attacker or a careless user could write: one line, never a crash. */
class HostileLayoutTest {
  /** A hang guard, not a speed figure: the old code took minutes or ran out of memory here. */
  private static final Duration HANG = Duration.ofSeconds(60);

  @Test
  void aLayoutWhoseSizeWouldOverflowIsRefusedNamingTheLimit() {
    String wraps = "=" + "1048576s".repeat(4096) + "Q";
    assertThatThrownBy(() -> RecordLayout.parse(wraps)).isInstanceOf(LayoutException.class)
        .hasMessage("f4: the layout is larger than 4194304 bytes (the kernel's largest map value)");
    assertThatThrownBy(() -> RecordLayout.parse("=" + "1048576s".repeat(2048))).isInstanceOf(LayoutException.class)
        .hasMessage("f4: the layout is larger than 4194304 bytes (the kernel's largest map value)");
    assertThat(RecordLayout.parse("=1048576s1048576s1048576s1048575sB").size()).isEqualTo(RecordLayout.MAX_SIZE);
  }

  @Test
  void structsNestedDeeperThanTheLimitAreRefusedWithoutOverflowingTheStack() {
    Object spec = List.of(List.of("leaf", "Q"));
    for (int i = 0; i < 5000; i++) {
      spec = List.of(List.of("n", spec));
    }
    Object deep = spec;
    assertThatThrownBy(() -> RecordLayout.of((List<?>) deep)).isInstanceOf(LayoutException.class)
        .hasMessageEndingWith(": structs and arrays nested more than 32 deep")
        .hasMessageStartingWith("n.n.n.n.");
  }

  @Test
  void aShortTextAskingForMillionsOfValuesIsRefusedBeforeAnyIsMade() {
    String text = "[[\"a\",[" + String.join(",", java.util.Collections.nCopies(64, "\"1048576Q\"")) + "]]]";
    assertThat(text.length()).isLessThan(800);
    assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> RecordLayout.parse(text))
        .isInstanceOf(LayoutException.class).hasMessage("a[0]: the layout has more than 65536 values"));
    assertThatThrownBy(() -> RecordLayout.parse("=65537B")).hasMessage("f0: the layout has more than 65536 values");
  }

  @Test
  void compilingAMaskIsLinearInTheFields() {
    assertTimeoutPreemptively(HANG, () -> {
      RecordLayout wide = RecordLayout.parse("=65536B");
      var mask = PermissionMask.of(Map.of("f0", "R", "f65535", "W")).compile(wide);
      assertThat(wide.leafPaths()).hasSize(65536);
      assertThat(mask.hidden().paths()).hasSize(65534);
      assertThat(mask.writable().paths()).containsExactly("f65535");
    });
  }

  @Test
  void valuesThatAreNotValuesAreLayoutErrorsNotForeignExceptions() {
    RecordLayout l = RecordLayout.parse("[[\"d\",\"2Q\"]]");
    assertThatThrownBy(() -> l.pack(Map.of("d", new LinkedHashSet<>(Arrays.asList(1L, null)))))
        .isInstanceOf(LayoutException.class).hasMessage("d[1]: null is not a value for 'Q'");
    assertThatThrownBy(() -> l.accessor("d[99999999999]")).isInstanceOf(LayoutException.class)
        .hasMessage("d[99999999999]: no such element");
    assertThatThrownBy(() -> l.pack(Map.of("d", List.of(1L, "two\nlines"))))
        .hasMessage("d[1]: expected an integer for 'Q', got String two\\nlines");
  }

  @Test
  void theNotationReadsBackAsTheSameLayout() {
    for (String text : List.of("[[\"a\",[\"2Q\"]]]", "[[\"a\",[\"2H\",\"2H\"]]]", "[[\"a\",[\"Q\",\"Q\"]]]",
        "@[[\"a\",\"B\"],[\"b\",[\"2I\",\"Q\"]]]", "<[[\"a\",[[[\"x\",\"H\"]],\"1Q\"]]]")) {
      RecordLayout l = RecordLayout.parse(text);
      RecordLayout back = RecordLayout.parse(l.notation());
      assertThat(back.size()).as(text).isEqualTo(l.size());
      assertThat(back.leafPaths()).as(text).isEqualTo(l.leafPaths());
      assertThat(back.notation()).as(text).isEqualTo(l.notation());
    }
    assertThat(RecordLayout.parse("[[\"a\",[\"2Q\"]]]").size()).isEqualTo(16);
  }

  @Provide
  Arbitrary<RecordLayout> layouts() {
    return LayoutGen.anyLayouts();
  }

  @Property(tries = 2000)
  void everyNotationReadsBackWithTheSameOffsetsAndSizes(@ForAll("layouts") RecordLayout l) {
    RecordLayout back = RecordLayout.parse(l.notation());
    assertThat(back.size()).isEqualTo(l.size());
    assertThat(back.leafPaths()).isEqualTo(l.leafPaths());
    List<Integer> offsets = new ArrayList<>();
    List<Integer> backOffsets = new ArrayList<>();
    for (String p : l.leafPaths()) {
      offsets.add(l.offsetOf(p));
      backOffsets.add(back.offsetOf(p));
    }
    assertThat(backOffsets).isEqualTo(offsets);
    assertThat(back).isEqualTo(l);
  }

  @Test
  void aKeyGivenTwiceIsRefused() {
    assertThatThrownBy(() -> RecordLayout.parse("{\"a\":\"Q\",\"a\":\"B\"}")).isInstanceOf(LayoutException.class)
        .hasMessageStartingWith("bad JSON layout: Duplicate field 'a'");
    assertThatThrownBy(() -> PermissionMask.parse("{\"a\":\"R\",\"a\":\"W\"}"))
        .hasMessageStartingWith("mask: bad JSON mask: Duplicate field 'a'");
  }

  @Test
  void floatsTooLargeForTheirLetterAreRefusedForEveryLetter() {
    RecordLayout l = RecordLayout.parse("=efd");
    assertThatThrownBy(() -> l.pack(Map.of("f0", 1e10, "f1", 1f, "f2", 1d)))
        .hasMessage("f0: 1.0E10 is out of range for 'e' (at most 65504 in magnitude)");
    assertThatThrownBy(() -> l.pack(Map.of("f0", 1f, "f1", 1e39, "f2", 1d)))
        .hasMessage("f1: 1.0E39 is out of range for 'f' (at most 3.4028234663852886E38 in magnitude)");
    assertThatThrownBy(() -> l.pack(Map.of("f0", 1f, "f1", 1f, "f2", new BigDecimal("1e400"))))
        .hasMessage("f2: 1E+400 is out of range for 'd' (at most 1.7976931348623157E308 in magnitude)");
    Map<String, Object> infinite = Map.of("f0", Float.POSITIVE_INFINITY, "f1", Double.NEGATIVE_INFINITY, "f2", Double.NaN);
    Map<String, Object> back = l.unpack(l.pack(infinite));
    assertThat(back.get("f0")).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(back.get("f1")).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat((Double) back.get("f2")).isNaN();
  }

  @Test
  void fieldNamesWithControlCharactersAreRefusedOnOneLine() {
    assertThatThrownBy(() -> RecordLayout.of(List.of(List.of("a\nb", "Q"))))
        .hasMessage("a\\nb: bad field name 'a\\nb' (no '.', '[', ']', control characters, not empty)");
  }
}
