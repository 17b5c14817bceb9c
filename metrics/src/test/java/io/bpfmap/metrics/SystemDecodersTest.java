package io.bpfmap.metrics;

import static io.bpfmap.metrics.LabelDecoderTest.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoders that read the system's tables: from files written by the test (each value known,
 * unknown, and found after the table changed), then once on this machine's own files.
 */
class SystemDecodersTest {
  private static final byte[] EIGHT = new byte[8];

  @Test
  void ksymNamesTheFunctionThatHoldsAnAddress(@TempDir Path tmp) throws Exception {
    Path kallsyms = Files.writeString(tmp.resolve("kallsyms"), """
        ffffffff81000000 T _text
        ffffffff81001000 t helper
        ffffffff81002000 D some_data
        ffffffff81003000 T tcp_v4_connect
        ffffffffc0000000 t mod_func\t[mymod]
        """);
    KsymDecoder d = new KsymDecoder(kallsyms);
    for (String[] row : new String[][] {
        {"ffffffff81000000", "_text"}, {"ffffffff81000fff", "_text"}, {"ffffffff81001010", "helper"},
        {"ffffffff81002500", "helper"}, {"ffffffff81003000", "tcp_v4_connect"}, {"ffffffffc0000123", "mod_func"},
        {"ffffffff80000000", "unknown:0xffffffff80000000"}, {"0", "unknown:0x0"}}) {
      assertThat(outcome(d, Long.parseUnsignedLong(row[0], 16), EIGHT)).as(row[0]).isEqualTo(row[1]);
    }
    // what kptr_restrict shows a reader without CAP_SYSLOG: no address, so none can be named
    Path hidden = Files.writeString(tmp.resolve("hidden"), "0000000000000000 T _text\n0000000000000000 T tcp_v4_connect\n");
    assertThat(outcome(new KsymDecoder(hidden), 0xffffffff81003000L, EIGHT)).isEqualTo("unknown:0xffffffff81003000");
  }

  @Test
  void ksymReadsThisKernelsSymbols() throws Exception {
    String line = Files.lines(Path.of("/proc/kallsyms")).filter(l -> l.endsWith(" T bpf_map_lookup_elem")
        || l.matches("[0-9a-f]+ T bpf_map_lookup_elem")).findFirst().orElseThrow();
    long address = Long.parseUnsignedLong(line.split(" ")[0], 16);
    assertThat(address).as("root reads the addresses").isNotZero();
    assertThat(LabelDecoder.of("ksym").decode(address + 4, EIGHT)).isEqualTo("bpf_map_lookup_elem");
  }

  @Test
  void cgroupIdsAreTheInodesOfTheTreeFoundAgainAfterItChanges(@TempDir Path tmp) throws Exception {
    Path a = Files.createDirectories(tmp.resolve("system.slice/a.service"));
    CgroupDecoder d = new CgroupDecoder(tmp);
    assertThat(outcome(d, inode(a), EIGHT)).isEqualTo("/system.slice/a.service");
    assertThat(outcome(d, inode(tmp), EIGHT)).isEqualTo("/");
    Path b = Files.createDirectories(tmp.resolve("user.slice/b"));
    Thread.sleep(1100);  // a rescan is due once a second at most
    assertThat(outcome(d, inode(b), EIGHT)).as("a cgroup created later").isEqualTo("/user.slice/b");
    assertThat(outcome(d, 1L, EIGHT)).isEqualTo("unknown:1");
  }

  @Test
  void cgroupReadsThisMachinesCgroupV2Tree() throws Exception {
    Path root = CgroupDecoder.defaultRoot();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(" " + root + " ");
    assertThat(LabelDecoder.of("cgroup").decode(inode(root), EIGHT)).isEqualTo("/");
  }

  @Test
  void ifnameNamesInterfacesAsTheyComeAndGo(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("lo"));
    Files.writeString(tmp.resolve("lo/ifindex"), "1\n");
    IfnameDecoder d = new IfnameDecoder(tmp);
    assertThat(outcome(d, 1L, new byte[4])).isEqualTo("lo");
    assertThat(outcome(d, 7L, new byte[4])).isEqualTo("unknown:7");
    Files.createDirectories(tmp.resolve("eth7"));
    Files.writeString(tmp.resolve("eth7/ifindex"), "7\n");
    Thread.sleep(1100);
    assertThat(outcome(d, 7L, new byte[4])).isEqualTo("eth7");
    assertThat(LabelDecoder.of("ifname").decode(1L, new byte[4])).as("this machine's loopback").isEqualTo("lo");
  }

  @Test
  void majorMinorNamesBlockDevicesByTheKernelsDevT(@TempDir Path tmp) throws Exception {
    Path partitions = Files.writeString(tmp.resolve("partitions"), """
        major minor  #blocks  name

           8        0  104857600 sda
           8        1     524288 sda1
         259        0  500107608 nvme0n1
        """);
    MajorMinorDecoder d = new MajorMinorDecoder(partitions);
    for (Object[] row : new Object[][] {{8L << 20, "sda"}, {(8L << 20) | 1, "sda1"}, {259L << 20, "nvme0n1"},
        {(8L << 20) | 5, "unknown:8:5"}}) {
      assertThat(outcome(d, row[0], new byte[4])).isEqualTo(row[1]);
    }
    List<String> own = Files.readAllLines(Path.of("/proc/partitions")).stream().skip(2).filter(l -> !l.isBlank()).toList();
    if (!own.isEmpty()) {
      String[] f = own.getFirst().strip().split("\\s+");
      long dev = (Long.parseLong(f[0]) << 20) | Long.parseLong(f[1]);
      assertThat(LabelDecoder.of("majorminor").decode(dev, new byte[4])).as("this machine's").isEqualTo(f[3]);
    }
  }

  private static long inode(Path p) throws Exception {
    return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
  }
}
