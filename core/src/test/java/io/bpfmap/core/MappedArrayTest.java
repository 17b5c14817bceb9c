package io.bpfmap.core;

import static io.bpfmap.core.testing.TestBytes.key;
import static io.bpfmap.core.testing.TestBytes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

@KernelTest
class MappedArrayTest {
  private static BpfMap mmapable(int valueSize, int entries) {
    return BpfMap.create(MapSpec.of(MapType.ARRAY, "t_mmap", 4, valueSize, entries).withFlags(MapFlags.MMAPABLE));
  }

  @Test
  void mmapReadSeesUpdatesMadeThroughTheSyscall() {
    try (BpfMap map = mmapable(12, 100); MappedArray mem = map.mmap()) {
      assertThat(mem.get(42)).containsOnly(0);
      map.update(key(4, 42), value(12, 42, 0));
      assertThat(mem.get(42)).isEqualTo(value(12, 42, 0));
      assertThat(mem.value(99).byteSize()).isEqualTo(12);
      assertThat(mem.segment().byteSize()).isEqualTo(16 * 100);
    }
  }

  @Test
  void mmapWritesAreSeenByLookup() {
    try (BpfMap map = mmapable(8, 16); MappedArray mem = map.mmap()) {
      mem.value(3).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x1122334455667788L);
      assertThat(map.lookup(key(4, 3))).hasValueSatisfying(v ->
          assertThat(io.bpfmap.core.testing.TestBytes.firstLong(v)).isEqualTo(0x1122334455667788L));
    }
  }

  @Test
  void mappingOutlivesTheMapsFd() {
    MappedArray mem;
    try (BpfMap map = mmapable(8, 4)) {
      map.update(key(4, 1), value(8, 1, 0));
      mem = map.mmap();
    }
    try (mem) {
      assertThat(mem.get(1)).isEqualTo(value(8, 1, 0));
    }
  }

  @Test
  void readOnlyOpenCannotBeMappedAndSaysWhy(PinDir dir) {
    try (BpfMap map = mmapable(8, 4)) {
      map.pin(dir.resolve("a"));
    }
    try (BpfMap ro = BpfMap.openPinned(dir.resolve("a"), OpenMode.READ_ONLY)) {
      assertThatThrownBy(ro::mmap)
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("mmap on map 't_mmap': the kernel maps only read-write opens; open the pin "
              + "READ_WRITE (or read with lookup)");
    }
  }

  @Test
  void onlyMmapableArraysCanBeMapped() {
    try (BpfMap plain = BpfMap.create(MapSpec.of(MapType.ARRAY, "t_plain", 4, 8, 4))) {
      assertThatThrownBy(plain::mmap)
          .hasMessage("mmap on map 't_plain': only arrays created with BPF_F_MMAPABLE can be mapped");
    }
  }

  @Test
  void indexOutsideTheArrayIsRefused() {
    try (BpfMap map = mmapable(8, 4); MappedArray mem = map.mmap()) {
      assertThatThrownBy(() -> mem.get(4)).hasMessage("index 4 outside 0..3");
    }
  }
}
