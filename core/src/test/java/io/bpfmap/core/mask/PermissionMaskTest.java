package io.bpfmap.core.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.record.RecordLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Masks without a kernel: inheritance, deny by default, validation, masked decode and JSON. */
class PermissionMaskTest {
  private static final RecordLayout SEED = RecordLayout.parse("[[\"data\",\"8Q\"]]");
  private static final RecordLayout NESTED = RecordLayout.parse("[[\"id\",\"I\"],[\"flows\",["
      + "[[\"src\",\"I\"],[\"bytes\",\"Q\"]],[[\"src\",\"I\"],[\"bytes\",\"Q\"]]]],"
      + "[\"meta\",[[\"comm\",\"8s\"],[\"inner\",[[\"a\",\"H\"],[\"b\",\"H\"]]]]]]");

  private static Map<String, Permission> all(CompiledMask m) {
    Map<String, Permission> out = new HashMap<>();
    m.layout().leafPaths().forEach(p -> out.put(p, m.permission(p)));
    return out;
  }

  @Test
  void seedMaskShowsAndAllowsOnlyDataTwo() {
    CompiledMask m = PermissionMask.parse("{\"data\": [\"X\",\"X\",\"W\",\"X\",\"X\",\"X\",\"X\",\"X\"]}").compile(SEED);
    assertThat(m.permission("data[2]")).isEqualTo(Permission.W);
    assertThat(m.hidden().paths()).containsExactly("data[0]", "data[1]", "data[3]", "data[4]", "data[5]", "data[6]", "data[7]");
    assertThat(m.writable().paths()).containsExactly("data[2]");
    byte[] rec = SEED.pack(Map.of("data", List.of(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L)));
    assertThat(m.unpack(rec)).isEqualTo(Map.of("data", java.util.Arrays.asList(null, null, 12L, null, null, null, null, null)));
    assertThat(new String(m.jsonWriter().toJson(rec), StandardCharsets.UTF_8))
        .isEqualTo("{\"data\":[null,null,12,null,null,null,null,null]}");
  }

  @Test
  void unnamedFieldsInheritTheirParentAndTheRootDenies() {
    CompiledMask m = PermissionMask.of(Map.of("flows", "R", "meta", Map.of("inner", Map.of("b", "W")))).compile(NESTED);
    assertThat(all(m)).containsEntry("id", Permission.X)
        .containsEntry("flows[0].src", Permission.R).containsEntry("flows[1].bytes", Permission.R)
        .containsEntry("meta.comm", Permission.X).containsEntry("meta.inner.a", Permission.X)
        .containsEntry("meta.inner.b", Permission.W);
  }

  @Test
  void starSetsTheDefaultOfAStruct() {
    CompiledMask m = PermissionMask.of(Map.of("*", "R", "meta", Map.of("*", "W", "comm", "X"))).compile(NESTED);
    assertThat(all(m)).containsEntry("id", Permission.R).containsEntry("flows[1].src", Permission.R)
        .containsEntry("meta.comm", Permission.X).containsEntry("meta.inner.a", Permission.W);
  }

  @Test
  void arraysOfStructsTakeAPermissionPerElement() {
    CompiledMask m = PermissionMask.of(Map.of("flows", List.of(Map.of("bytes", "R"), "R"))).compile(NESTED);
    assertThat(all(m)).containsEntry("flows[0].src", Permission.X).containsEntry("flows[0].bytes", Permission.R)
        .containsEntry("flows[1].src", Permission.R).containsEntry("flows[1].bytes", Permission.R);
  }

  @Test
  void aSingleLetterCoversTheWholeRecord() {
    assertThat(all(PermissionMask.parse("R").compile(NESTED)).values()).containsOnly(Permission.R);
    assertThat(all(PermissionMask.parse("{}").compile(NESTED)).values()).containsOnly(Permission.X);
  }

  @Test
  void maskNamingAFieldTheLayoutLacksIsRefused() {
    assertThatThrownBy(() -> PermissionMask.parse("{\"meta\": {\"nope\": \"R\"}}").compile(NESTED))
        .isInstanceOf(MaskException.class).hasMessage("mask meta.nope: no such field in the layout");
  }

  @Test
  void maskWithTheWrongArrayLengthIsRefused() {
    assertThatThrownBy(() -> PermissionMask.parse("{\"data\": [\"R\",\"R\",\"R\"]}").compile(SEED))
        .hasMessage("mask data: 3 permissions for an array of 8");
  }

  @Test
  void badLettersAndShapesAreRefused() {
    assertThatThrownBy(() -> PermissionMask.parse("{\"data\": [\"X\",\"X\",\"Q\",\"X\",\"X\",\"X\",\"X\",\"X\"]}").compile(SEED))
        .hasMessage("mask data[2]: bad permission 'Q' (R, W or X)");
    assertThatThrownBy(() -> PermissionMask.parse("{\"data\": {\"a\": \"R\"}}").compile(SEED))
        .hasMessage("mask data: gives fields, but the layout has an array here");
    assertThatThrownBy(() -> PermissionMask.parse("{\"id\": [\"R\"]}").compile(NESTED))
        .hasMessage("mask id: gives a list, but the layout has a value here");
    assertThatThrownBy(() -> PermissionMask.parse("{\"id\": 1}").compile(NESTED))
        .hasMessage("mask id: bad permission 1 (R, W or X)");
    assertThatThrownBy(() -> PermissionMask.parse("{\"id\": ")).hasMessageStartingWith("mask: bad JSON mask: ");
  }

  @Test
  void hiddenFieldsCannotGetAnAccessor() {
    CompiledMask m = PermissionMask.parse("{\"data\": [\"X\",\"X\",\"W\",\"X\",\"X\",\"X\",\"X\",\"X\"]}").compile(SEED);
    assertThat(m.accessor("data[2]").path()).isEqualTo("data[2]");
    assertThatThrownBy(() -> m.accessor("data[3]")).hasMessage("mask data[3]: the field is hidden");
  }

  @Test
  void writesTouchOnlyWritableLeavesAndAllOrNothing() {
    CompiledMask m = PermissionMask.of(Map.of("meta", Map.of("inner", "W"), "id", "R")).compile(NESTED);
    byte[] rec = new byte[NESTED.size()];
    java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofArray(rec);
    m.applyWrite(Map.of("meta", Map.of("inner", Map.of("b", 7))), seg, 0);
    assertThat(NESTED.unpack(rec)).extracting(v -> ((Map<?, ?>) ((Map<?, ?>) v.get("meta")).get("inner")).get("b")).isEqualTo(7);
    byte[] before = rec.clone();
    assertThatThrownBy(() -> m.applyWrite(Map.of("meta", Map.of("inner", Map.of("a", 1)), "id", 5), seg, 0))
        .hasMessage("mask id: is not writable (the mask gives R)");
    assertThat(rec).isEqualTo(before);
    assertThatThrownBy(() -> m.applyWrite(Map.of("flows", Map.of("5", Map.of("src", 1))), seg, 0))
        .hasMessage("mask flows[5]: no such element (0..1)");
  }
}
