package io.bpfmap.core;

import static io.bpfmap.core.testing.TestBytes.key;
import static io.bpfmap.core.testing.TestBytes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@KernelTest
class BpfMapElementTest {
  private static final int KEY = 16;
  private static final int VALUE = 64;

  private static BpfMap create(MapType type, int keySize, int maxEntries) {
    return BpfMap.create(MapSpec.of(type, "t_" + type.cliName(), keySize, VALUE, maxEntries));
  }

  @ParameterizedTest
  @EnumSource(names = {"HASH", "LRU_HASH", "PERCPU_HASH"})
  void hashLikeMapsSupportEveryElementOperation(MapType type) {
    try (BpfMap map = create(type, KEY, 64)) {
      byte[] k = key(KEY, 7);
      assertThat(map.lookup(k)).isEmpty();
      map.update(k, value(VALUE, 7, 0));
      assertThat(firstCpu(map, map.lookup(k).orElseThrow())).isEqualTo(value(VALUE, 7, 0));
      map.update(k, value(VALUE, 7, 1), UpdateFlag.EXIST);
      assertThat(firstCpu(map, map.lookup(k).orElseThrow())).isEqualTo(value(VALUE, 7, 1));
      assertThat(map.nextKey(null)).hasValueSatisfying(n -> assertThat(n).isEqualTo(k));
      assertThat(map.nextKey(k)).isEmpty();
      assertThat(firstCpu(map, map.lookupAndDelete(k).orElseThrow())).isEqualTo(value(VALUE, 7, 1));
      assertThat(map.lookup(k)).isEmpty();
      assertThat(map.lookupAndDelete(k)).isEmpty();
      map.update(k, value(VALUE, 7, 2), UpdateFlag.NOEXIST);
      assertThat(map.delete(k)).isTrue();
      assertThat(map.delete(k)).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"HASH", "LRU_HASH", "PERCPU_HASH"})
  void updateFlagsAreEnforcedOnHashMaps(MapType type) {
    try (BpfMap map = create(type, KEY, 64)) {
      byte[] k = key(KEY, 1);
      assertThatThrownBy(() -> map.update(k, value(VALUE, 1, 0), UpdateFlag.EXIST))
          .isInstanceOf(BpfException.class)
          .hasMessage("update on map 't_" + type.cliName() + "': ENOENT (No such file or directory): "
              + "the key is absent (UpdateFlag.EXIST)");
      map.update(k, value(VALUE, 1, 0), UpdateFlag.NOEXIST);
      assertThatThrownBy(() -> map.update(k, value(VALUE, 1, 1), UpdateFlag.NOEXIST))
          .isInstanceOf(BpfException.class)
          .hasMessage("update on map 't_" + type.cliName() + "': EEXIST (File exists): "
              + "the key is already present (UpdateFlag.NOEXIST)")
          .satisfies(e -> assertThat(((BpfException) e).errnoName()).isEqualTo("EEXIST"));
      assertThat(firstCpu(map, map.lookup(k).orElseThrow())).isEqualTo(value(VALUE, 1, 0));
    }
  }

  @Test
  void fullHashMapRefusesNewKeysWithE2big() {
    try (BpfMap map = create(MapType.HASH, KEY, 2)) {
      map.update(key(KEY, 1), value(VALUE, 1, 0));
      map.update(key(KEY, 2), value(VALUE, 2, 0));
      assertThatThrownBy(() -> map.update(key(KEY, 3), value(VALUE, 3, 0)))
          .hasMessage("update on map 't_hash': E2BIG (Argument list too long): the map is full (max_entries 2)");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"ARRAY", "PERCPU_ARRAY"})
  void arrayMapsSupportTheirElementOperations(MapType type) {
    try (BpfMap map = create(type, 4, 8)) {
      byte[] k = key(4, 3);
      assertThat(map.lookup(k)).hasValueSatisfying(v -> assertThat(v).containsOnly(0));
      map.update(k, value(VALUE, 3, 0), UpdateFlag.EXIST);
      assertThat(firstCpu(map, map.lookup(k).orElseThrow())).isEqualTo(value(VALUE, 3, 0));
      assertThat(map.lookup(key(4, 8))).as("index past max_entries").isEmpty();
      List<Integer> indexes = new ArrayList<>();
      for (var n = map.nextKey(null); n.isPresent(); n = map.nextKey(n.get())) {
        indexes.add((int) io.bpfmap.core.testing.TestBytes.firstLong(pad8(n.get())));
      }
      assertThat(indexes).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      assertThatThrownBy(() -> map.update(k, value(VALUE, 3, 1), UpdateFlag.NOEXIST))
          .hasMessageStartingWith("update on map 't_" + type.cliName() + "': EEXIST");
      assertThatThrownBy(() -> map.update(key(4, 8), value(VALUE, 8, 0)))
          .hasMessage("update on map 't_" + type.cliName() + "': E2BIG (Argument list too long): "
              + "the index is past the array's end (max_entries 8: indexes 0 to 7)");
      assertThatThrownBy(() -> map.delete(k))
          .hasMessage("delete on map 't_" + type.cliName() + "': EINVAL (Invalid argument): "
              + type.cliName() + " maps have no delete");
      assertThatThrownBy(() -> map.lookupAndDelete(k))
          .isInstanceOf(UnsupportedFeatureException.class)
          .hasMessageContaining("lookup and delete on " + type.cliName() + " maps is not supported here");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"PERCPU_HASH", "PERCPU_ARRAY", "LRU_PERCPU_HASH"})
  void perCpuMapsHoldOneValuePerPossibleCpu(MapType type) {
    int cpus = BpfMap.possibleCpus();
    try (BpfMap map = BpfMap.create(MapSpec.of(type, "t_percpu", 4, 12, 8))) {
      assertThat(map.valueBufferSize()).isEqualTo(16 * cpus);
      byte[] k = key(4, 1);
      List<byte[]> perCpu = new ArrayList<>();
      for (int cpu = 0; cpu < cpus; cpu++) {
        perCpu.add(value(12, cpu, 100));
      }
      map.updatePerCpu(k, perCpu, UpdateFlag.ANY);
      List<byte[]> back = map.lookupPerCpu(k).orElseThrow();
      assertThat(back).hasSize(cpus);
      for (int cpu = 0; cpu < cpus; cpu++) {
        assertThat(back.get(cpu)).isEqualTo(value(12, cpu, 100));
      }
      map.update(k, value(12, 9, 0));
      assertThat(map.lookupPerCpu(k).orElseThrow()).allSatisfy(v -> assertThat(v).isEqualTo(value(12, 9, 0)));
    }
  }

  @Test
  void perCpuUpdateNeedsOneValuePerCpu() {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_percpu", 4, 8, 8))) {
      int cpus = BpfMap.possibleCpus();
      assertThatThrownBy(() -> map.updatePerCpu(key(4, 1), List.of(new byte[8]), UpdateFlag.ANY))
          .hasMessage("update per CPU on map 't_percpu': 1 values given, " + cpus + " possible CPUs");
      assertThatThrownBy(() -> map.update(key(4, 1), new byte[5]))
          .hasMessage("update on map 't_percpu': value is 5 bytes, the map's values are " + (8 * cpus)
              + " bytes (or 8 for every CPU)");
    }
  }

  @Test
  void infoMatchesWhatWasCreated() {
    MapSpec spec = MapSpec.of(MapType.HASH, "t_info", 16, 64, 256).withFlags(MapFlags.NO_PREALLOC);
    try (BpfMap map = BpfMap.create(spec)) {
      MapInfo info = map.info();
      assertThat(info.type()).isEqualTo(MapType.HASH);
      assertThat(info.name()).isEqualTo("t_info");
      assertThat(info.keySize()).isEqualTo(16);
      assertThat(info.valueSize()).isEqualTo(64);
      assertThat(info.maxEntries()).isEqualTo(256);
      assertThat(info.flags()).isEqualTo(MapFlags.NO_PREALLOC);
      assertThat(info.id()).isPositive();
    }
  }

  @Test
  void pinnedMapOpensWithTheSameIdAndContents(PinDir dir) {
    try (BpfMap map = create(MapType.HASH, KEY, 16)) {
      map.update(key(KEY, 5), value(VALUE, 5, 0));
      map.pin(dir.resolve("m"));
      try (BpfMap again = BpfMap.openPinned(dir.resolve("m"))) {
        assertThat(again.info()).isEqualTo(map.info());
        assertThat(again.lookup(key(KEY, 5))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(VALUE, 5, 0)));
      }
    }
  }

  @Test
  void readOnlyOpenRefusesWritesInTheKernel(PinDir dir) {
    try (BpfMap map = create(MapType.HASH, KEY, 16)) {
      map.update(key(KEY, 1), value(VALUE, 1, 0));
      map.pin(dir.resolve("ro"));
    }
    try (BpfMap ro = BpfMap.openPinned(dir.resolve("ro"), OpenMode.READ_ONLY)) {
      assertThat(ro.lookup(key(KEY, 1))).isPresent();
      assertThatThrownBy(() -> ro.update(key(KEY, 2), value(VALUE, 2, 0)))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessage("update on map 't_hash': EPERM (Operation not permitted): the map was opened read-only");
      assertThatThrownBy(() -> ro.delete(key(KEY, 1)))
          .isInstanceOf(BpfPermissionException.class)
          .hasMessageStartingWith("delete on map 't_hash': EPERM");
      assertThat(ro.lookup(key(KEY, 1))).isPresent();
      assertThat(ro.lookup(key(KEY, 2))).isEmpty();
    }
  }

  @Test
  void queueMapsTakeNoKey() {
    try (BpfMap q = BpfMap.create(MapSpec.of(MapType.QUEUE, "t_queue", 0, 8, 4))) {
      q.update(new byte[0], value(8, 1, 0));
      q.update(new byte[0], value(8, 2, 0));
      assertThat(q.lookup(new byte[0])).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(8, 1, 0)));
      assertThat(q.lookupAndDelete(new byte[0])).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(8, 1, 0)));
      assertThat(q.lookupAndDelete(new byte[0])).hasValueSatisfying(v -> assertThat(v).isEqualTo(value(8, 2, 0)));
      assertThat(q.lookupAndDelete(new byte[0])).isEmpty();
    }
  }

  @Test
  void lruHashEvictsInsteadOfFilling() {
    try (BpfMap map = create(MapType.LRU_HASH, KEY, 64)) {
      for (int i = 0; i < 1000; i++) {
        map.update(key(KEY, i), value(VALUE, i, 0));
      }
      Set<String> keys = new HashSet<>();
      map.entries().forEach(e -> keys.add(io.bpfmap.core.testing.TestBytes.hex(e.key())));
      assertThat(keys).isNotEmpty().hasSizeLessThanOrEqualTo(64 + 2 * BpfMap.possibleCpus() * 64);
      assertThat(map.lookup(key(KEY, 999))).isPresent();
    }
  }

  private static byte[] firstCpu(BpfMap map, byte[] buffer) {
    if (!map.info().type().perCpu()) {
      return buffer;
    }
    return java.util.Arrays.copyOf(buffer, map.info().valueSize());
  }

  private static byte[] pad8(byte[] b) {
    return java.util.Arrays.copyOf(b, 8);
  }
}
