package io.bpfmap.core.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfPermissionException;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.OpenMode;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's FilteredBPFMap behaviour on real maps. */
@KernelTest
class FilteredBpfMapTest {
  private static final RecordLayout KEY = RecordLayout.parse("[[\"uid\",\"Q\"],[\"gid\",\"Q\"]]");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"data\",[\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\",\"Q\"]]]");
  private static final PermissionMask SEED_MASK =
      PermissionMask.of(Map.of("data", List.of("X", "X", "W", "X", "X", "X", "X", "X")));
  private static final Map<String, Object> K1 = Map.of("uid", 1000L, "gid", 100L);
  private static final Map<String, Object> FULL = Map.of("data", List.of(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L));

  /** Creates and pins the seed's test map holding K1 → FULL; returns the pin. */
  private static Path seedMap(PinDir dir) {
    Path pin = dir.resolve("test_map");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "test_perm", 16, 64, 256))) {
      map.parsed(KEY, VALUE).update(K1, FULL);
      map.pin(pin);
    }
    return pin;
  }

  private static Map<String, Object> raw(Path pin, Map<String, Object> key) {
    try (BpfMap map = BpfMap.openPinned(pin, OpenMode.READ_ONLY)) {
      return map.parsed(KEY, VALUE).lookup(key).orElse(null);
    }
  }

  @Test
  void seedMaskMakesOnlyDataTwoVisibleAndWritable(PinDir dir) {
    Path pin = seedMap(dir);
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, false, false)) {
      assertThat(p.mode()).isEqualTo(OpenMode.READ_WRITE);
      assertThat(p.lookup(K1)).hasValue(Map.of("data", Arrays.asList(null, null, 12L, null, null, null, null, null)));
      p.update(K1, Map.of("data", Arrays.asList(null, null, 42L, null, null, null, null, null)));
      assertThat(p.lookup(K1)).hasValue(Map.of("data", Arrays.asList(null, null, 42L, null, null, null, null, null)));
    }
    assertThat(raw(pin, K1)).as("merge kept the other fields").isEqualTo(Map.of("data", List.of(10L, 11L, 42L, 13L, 14L, 15L, 16L, 17L)));
  }

  @Test
  void writesToReadOnlyAndHiddenFieldsAreRefusedAndChangeNothing(PinDir dir) {
    Path pin = seedMap(dir);
    PermissionMask mask = PermissionMask.of(Map.of("data", List.of("R", "X", "W", "X", "X", "X", "X", "X")));
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, mask, KEY, VALUE, false, false)) {
      assertThatThrownBy(() -> p.update(K1, Map.of("data", Map.of(0, 1L, 2, 5L))))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("update on map 'test_perm': data[0]: is not writable (the mask gives R)");
      assertThatThrownBy(() -> p.update(K1, Map.of("data", Map.of(1, 1L))))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("update on map 'test_perm': data[1]: is not writable (the mask gives X)");
    }
    assertThat(raw(pin, K1)).isEqualTo(FULL);
  }

  @Test
  void canCreateFalseRefusesANewKey(PinDir dir) {
    Path pin = seedMap(dir);
    Map<String, Object> k2 = Map.of("uid", 2L, "gid", 2L);
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, false, false)) {
      assertThatThrownBy(() -> p.update(k2, Map.of("data", Map.of(2, 1L))))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("update on map 'test_perm': the key is absent and this filtered map may not create entries");
    }
    assertThat(raw(pin, k2)).isNull();
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, true, false)) {
      p.update(k2, Map.of("data", Map.of(2, 9L)));
    }
    assertThat(raw(pin, k2)).isEqualTo(Map.of("data", List.of(0L, 0L, 9L, 0L, 0L, 0L, 0L, 0L)));
  }

  @Test
  void canDeleteFalseRefusesDeleteAndLookupAndDelete(PinDir dir) {
    Path pin = seedMap(dir);
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, false, false)) {
      assertThatThrownBy(() -> p.delete(K1))
          .hasMessage("delete on map 'test_perm': this filtered map may not delete entries");
      assertThatThrownBy(() -> p.lookupAndDelete(K1))
          .hasMessage("lookup and delete on map 'test_perm': this filtered map may not delete entries");
    }
    assertThat(raw(pin, K1)).isEqualTo(FULL);
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, false, true)) {
      assertThat(p.lookupAndDelete(K1)).hasValue(Map.of("data", Arrays.asList(null, null, 12L, null, null, null, null, null)));
      assertThat(p.delete(K1)).isFalse();
    }
  }

  @Test
  void readOnlyFilteredMapHasAReadOnlyFd(PinDir dir) {
    Path pin = seedMap(dir);
    PermissionMask readOnly = PermissionMask.of(Map.of("data", List.of("R", "R", "R", "X", "X", "X", "X", "X")));
    try (FilteredBpfMap p = FilteredBpfMap.open(pin, readOnly, KEY, VALUE, false, false)) {
      assertThat(p.mode()).isEqualTo(OpenMode.READ_ONLY);
      ParsedMap rawWrite = p.rawForTest().parsed(KEY, VALUE);
      assertThatThrownBy(() -> rawWrite.update(K1, FULL))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("update on map 'test_perm': EPERM (Operation not permitted): the map was opened read-only");
      assertThat(p.lookup(K1)).hasValue(Map.of("data", Arrays.asList(10L, 11L, 12L, null, null, null, null, null)));
    }
  }

  @Test
  void perCpuMapsAreRefusedWithTheReason(PinDir dir) {
    Path pin = dir.resolve("pcpu");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_pcpu", 16, 64, 4))) {
      map.pin(pin);
    }
    assertThatThrownBy(() -> FilteredBpfMap.open(pin, SEED_MASK, KEY, VALUE, false, false))
        .hasMessage("open filtered on map 't_pcpu': per-CPU maps are read through MapStream, which "
            + "aggregates their values before masking");
  }
}
