package io.bpfmap.core;

import static io.bpfmap.core.testing.TestBytes.key;
import static io.bpfmap.core.testing.TestBytes.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.testing.ChildJvm;
import io.bpfmap.core.testing.CreateMapMain;
import io.bpfmap.core.testing.KernelTest;
import io.bpfmap.core.testing.PinDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KernelTest
class BpfMapErrorTest {
  private static final List<String> NATIVE = List.of("--enable-native-access=ALL-UNNAMED");

  @Test
  void missingPinIsMapNotFound(PinDir dir) {
    Path pin = dir.resolve("absent");
    assertThatThrownBy(() -> BpfMap.openPinned(pin))
        .isInstanceOf(MapNotFoundException.class)
        .hasMessage("open pin " + pin + ": ENOENT (No such file or directory): nothing is pinned there");
  }

  @Test
  void missingPinDirectoryIsNamed(PinDir dir) {
    Path pin = dir.resolve("no/such/dir/m");
    assertThatThrownBy(() -> BpfMap.openPinned(pin))
        .isInstanceOf(MapNotFoundException.class)
        .hasMessage("open pin " + pin + ": ENOENT (No such file or directory): the directory "
            + pin.getParent() + " does not exist");
  }

  @Test
  void pathOutsideBpffsSaysToMountIt(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("plain"), "not a map");
    assertThatThrownBy(() -> BpfMap.openPinned(file))
        .hasMessage("open pin " + file + ": EACCES (Permission denied): " + file
            + " is not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf)");
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_pin", 4, 4, 1))) {
      assertThatThrownBy(() -> map.pin(tmp.resolve("m")))
          .hasMessage("pin " + tmp.resolve("m") + ": EPERM (Operation not permitted): " + tmp.resolve("m")
              + " is not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf)");
    }
  }

  @Test
  void pinningOverAnExistingPinIsRefused(PinDir dir) {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_pin", 4, 4, 1))) {
      map.pin(dir.resolve("m"));
      assertThatThrownBy(() -> map.pin(dir.resolve("m")))
          .hasMessage("pin " + dir.resolve("m") + ": EEXIST (File exists): something is already pinned there");
    }
  }

  @Test
  void wrongKeySizeIsRefusedBeforeTheSyscall() {
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_sizes", 16, 8, 4))) {
      assertThatThrownBy(() -> map.lookup(new byte[8]))
          .hasMessage("lookup on map 't_sizes': key is 8 bytes, the map's keys are 16 bytes");
      assertThatThrownBy(() -> map.update(new byte[16], new byte[9]))
          .hasMessage("update on map 't_sizes': value is 9 bytes, the map's values are 8 bytes");
      assertThatThrownBy(() -> map.delete((byte[]) null))
          .hasMessage("delete on map 't_sizes': key is null, the map's keys are 16 bytes");
    }
  }

  @Test
  void closedMapRefusesEveryCall() {
    BpfMap map = BpfMap.create(MapSpec.of(MapType.HASH, "t_closed", 4, 8, 4));
    map.update(key(4, 1), value(8, 1, 0));
    map.close();
    map.close();
    assertThat(map.isClosed()).isTrue();
    assertThatThrownBy(() -> map.lookup(key(4, 1))).hasMessage("lookup on map 't_closed': the map is closed");
    assertThatThrownBy(() -> map.update(key(4, 1), value(8, 1, 0))).hasMessage("update on map 't_closed': the map is closed");
    assertThatThrownBy(() -> map.nextKey(null)).hasMessage("next key on map 't_closed': the map is closed");
    assertThatThrownBy(map::entries).hasMessage("batch lookup on map 't_closed': the map is closed");
  }

  @Test
  void invalidSpecsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> MapSpec.of(MapType.HASH, "name-with-dash", 4, 4, 1))
        .hasMessage("create map on map 'name-with-dash': map name 'name-with-dash' must be at most 15 "
            + "characters of letters, digits, '_' and '.'");
    assertThatThrownBy(() -> BpfMap.create(MapSpec.of(MapType.HASH, "t_zero", 0, 4, 1)))
        .hasMessage("create map on map 't_zero': EINVAL (Invalid argument): the kernel refused hash with "
            + "key size 0, value size 4, max entries 1, flags []");
    assertThatThrownBy(() -> MapType.parse("hashy")).hasMessage("map type: unknown map type 'hashy'");
  }

  @Test
  void missingLibbpfIsOneClearLine() throws Exception {
    var r = ChildJvm.run(List.of(), List.of("--enable-native-access=ALL-UNNAMED", "-Dbpfmap.libbpf=libbpf.so.99"),
        CreateMapMain.class, "t_child");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).isEqualTo("load libbpf: libbpf.so.99 not found: install libbpf 1.x "
        + "(Debian/Ubuntu: apt-get install libbpf1; Fedora: dnf install libbpf)");
  }

  @Test
  void nativeAccessNotEnabledNamesTheFlag() throws Exception {
    var r = ChildJvm.run(List.of(), List.of(), CreateMapMain.class, "t_child");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).isEqualTo("load libbpf: native access is not enabled: start java with "
        + "--enable-native-access=ALL-UNNAMED");
  }

  @Test
  void missingCapBpfSaysWhatIsNeeded() throws Exception {
    var r = ChildJvm.run(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all"),
        NATIVE, CreateMapMain.class, "t_nocap");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).isEqualTo("create map on map 't_nocap': EPERM (Operation not permitted): "
        + "the process needs CAP_BPF or root");
  }

  @Test
  void childWithNativeAccessCreatesMaps() throws Exception {
    var r = ChildJvm.run(List.of(), NATIVE, CreateMapMain.class, "t_child");
    assertThat(r.output()).isEqualTo("created HASH");
    assertThat(r.exitCode()).isZero();
  }
}
