package io.bpfmap.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.testing.KernelTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Java counterparts of the seed's parsed-map tests, on real maps. */
@KernelTest
class ParsedMapTest {
  private static final RecordLayout KEY = RecordLayout.of(List.of(List.of("uid", "Q"), List.of("gid", "Q")));
  private static final RecordLayout AS_ARRAY = RecordLayout.of(List.of(List.of("data", List.of("Q", "Q", "Q", "Q", "Q", "Q", "Q", "Q"))));
  private static final RecordLayout AS_FIELDS;

  static {
    List<Object> fields = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      fields.add(List.of("v" + i, "Q"));
    }
    AS_FIELDS = RecordLayout.of(fields);
  }

  private static BpfMap seedMap() {
    return BpfMap.create(MapSpec.of(MapType.HASH, "test_perm", 16, 64, 256));
  }

  @Test
  void roundTripWithEightUnsignedLongsAsAnArray() {
    try (BpfMap raw = seedMap()) {
      ParsedMap map = raw.parsed(KEY, AS_ARRAY);
      Map<String, Object> key = Map.of("uid", 1000L, "gid", 100L);
      Map<String, Object> value = Map.of("data", List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, -1L));
      assertThat(map.lookup(key)).isEmpty();
      map.update(key, value, UpdateFlag.NOEXIST);
      assertThat(map.lookup(key)).hasValue(value);
      assertThat(raw.lookup(KEY.pack(key))).hasValueSatisfying(b -> assertThat(AS_ARRAY.unpack(b)).isEqualTo(value));
      assertThat(map.lookupAndDelete(key)).hasValue(value);
      assertThat(map.delete(key)).isFalse();
    }
  }

  @Test
  void roundTripWithEightUnsignedLongsAsFields() {
    try (BpfMap raw = seedMap()) {
      ParsedMap map = raw.parsed(KEY, AS_FIELDS);
      Map<String, Object> value = new LinkedHashMap<>();
      for (int i = 0; i < 8; i++) {
        value.put("v" + i, (long) i * 11);
      }
      Map<String, Object> key = Map.of("uid", 0L, "gid", 0L);
      map.update(key, value);
      assertThat(map.lookup(key)).hasValue(value);
      ParsedMap asArray = raw.parsed(KEY, AS_ARRAY);
      assertThat(asArray.lookup(key)).hasValue(Map.of("data", List.of(0L, 11L, 22L, 33L, 44L, 55L, 66L, 77L)));
      assertThat(map.delete(key)).isTrue();
      assertThat(map.lookup(key)).isEmpty();
    }
  }

  @Test
  void perCpuValuesDecodePerCpu() {
    try (BpfMap raw = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_pcpu", 16, 64, 8))) {
      ParsedMap map = raw.parsed(KEY, AS_ARRAY);
      Map<String, Object> key = Map.of("uid", 1L, "gid", 2L);
      Map<String, Object> value = Map.of("data", List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L));
      map.update(key, value);
      assertThat(map.lookupPerCpu(key)).hasValueSatisfying(v ->
          assertThat(v).hasSize(BpfMap.possibleCpus()).containsOnly(value));
      assertThatThrownBy(() -> map.lookup(key))
          .hasMessage("lookup on map 't_pcpu': a per-CPU map has one value per CPU: use lookupPerCpu");
    }
  }

  @Test
  void layoutsOfTheWrongSizeAreRefusedNamingBothSizes() {
    try (BpfMap raw = seedMap()) {
      assertThatThrownBy(() -> raw.parsed(RecordLayout.parse("=BBHQ"), AS_ARRAY))
          .hasMessage("parse on map 'test_perm': the key layout is 12 bytes, the map's keys are 16 bytes");
      assertThatThrownBy(() -> raw.parsed(KEY, RecordLayout.parse("=7Q")))
          .hasMessage("parse on map 'test_perm': the value layout is 56 bytes, the map's values are 64 bytes");
    }
  }

  @Test
  void badValuesLeaveTheMapUnchanged() {
    try (BpfMap raw = seedMap()) {
      ParsedMap map = raw.parsed(KEY, AS_ARRAY);
      Map<String, Object> key = Map.of("uid", 1L, "gid", 1L);
      assertThatThrownBy(() -> map.update(key, Map.of("data", List.of(1L))))
          .hasMessage("data: expected 8 elements, got 1");
      assertThat(map.lookup(key)).isEmpty();
    }
  }
}
