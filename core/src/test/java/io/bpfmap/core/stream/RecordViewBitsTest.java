package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.mask.CompiledMask;
import io.bpfmap.core.mask.MaskException;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A hidden bitfield shares its byte with visible ones: the bytes a stream copies out and
 * fingerprints hold the visible bits only. The members of a union share bytes too: a mask gives
 * them one permission.
 */
class RecordViewBitsTest {
  /** {@code struct { unsigned a: 3; unsigned secret: 5; __u8 b; union { __u16 x; __u8 y; } u; }} */
  private static final RecordLayout LAYOUT = RecordLayout.parse("{\".struct\":[4,[\"a\",0,{\".bits\":[3,false]}],"
      + "[\"secret\",3,{\".bits\":[5,false]}],[\"b\",8,\"B\"],[\"u\",16,{\".union\":[2,[\"x\",\"H\"],[\"y\",\"B\"]]}]]}");

  private static RecordView view(Object mask) {
    return new RecordView("m", RecordLayout.parse("=I"), PermissionMask.of(mask).compile(LAYOUT));
  }

  @Test
  void aHiddenBitfieldsBitsAreNeverCopiedOut() {
    RecordView v = view(Map.of("a", "R", "b", "R"));
    byte[] record = LAYOUT.pack(Map.of("a", 5L, "secret", 31L, "b", 200, "u", Map.of("x", 0)));
    byte[] copied = v.copyVisible(MemorySegment.ofArray(record), 0);
    assertThat(copied).containsExactly(0x05, 200, 0, 0);
    assertThat(LAYOUT.unpack(copied)).containsEntry("a", 5L).containsEntry("secret", 0L);
  }

  @Test
  void onlyVisibleBitsMoveTheFingerprint() {
    RecordView v = view(Map.of("a", "R", "b", "R"));
    long base = fingerprint(v, Map.of("a", 5L, "secret", 0L, "b", 1, "u", Map.of("x", 0)));
    assertThat(fingerprint(v, Map.of("a", 5L, "secret", 17L, "b", 1, "u", Map.of("x", 0)))).isEqualTo(base);
    assertThat(fingerprint(v, Map.of("a", 4L, "secret", 0L, "b", 1, "u", Map.of("x", 0)))).isNotEqualTo(base);
  }

  @Test
  void unionMembersTakeOnePermission() {
    assertThatThrownBy(() -> PermissionMask.of(Map.of("u", Map.of("x", "R", "y", "X"))).compile(LAYOUT))
        .isInstanceOf(MaskException.class)
        .hasMessage("mask u.y: shares its bytes with u.x in a union, so it takes the same permission (R, not X)");
    assertThat(view(Map.of("u", "R")).copyVisible(MemorySegment.ofArray(new byte[] {0, 0, 1, 2}), 0))
        .containsExactly(0, 0, 1, 2);
  }

  private static long fingerprint(RecordView v, Map<String, ?> value) {
    return v.fingerprint(MemorySegment.ofArray(LAYOUT.pack(value)), 0, 1, 4);
  }
}
