package io.bpfmap.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldAccessorTest {
  private static final RecordLayout L = RecordLayout.of(List.of(List.of("uid", "Q"),
      List.of("data", "8Q"), List.of("nested", List.of(List.of("level2_1", "b"), List.of("level2_2", "d")))));

  @Test
  void accessorsReadTheFieldsOfNativeRecords() {
    Map<String, Object> v = Map.of("uid", -1L, "data", List.of(0L, 1L, 22L, 3L, 4L, 5L, 6L, 7L),
        "nested", Map.of("level2_1", -5, "level2_2", 2.5));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(L.size() * 3L);
      L.pack(v, buf, L.size());
      FieldAccessor data2 = L.accessor("data[2]");
      assertThat(data2.getLong(buf, L.size())).isEqualTo(22);
      assertThat(data2.offset()).isEqualTo(24);
      assertThat(L.accessor("nested.level2_1").getLong(buf, L.size())).isEqualTo(-5);
      assertThat(L.accessor("nested.level2_2").getDouble(buf, L.size())).isEqualTo(2.5);
      FieldAccessor uid = L.accessor("uid");
      assertThat(uid.unsigned64()).isTrue();
      assertThat(uid.getLong(buf, L.size())).isEqualTo(-1L);
      assertThat(uid.getDouble(buf, L.size())).isEqualTo(18446744073709551615.0);
    }
  }

  @Test
  void numericPathsListEveryNumberInLayoutOrder() {
    assertThat(L.numericPaths()).containsExactly("uid", "data[0]", "data[1]", "data[2]", "data[3]", "data[4]",
        "data[5]", "data[6]", "data[7]", "nested.level2_1", "nested.level2_2");
  }
}
