package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The CHANGES state table against a plain HashMap model, and its memory against the live keys. */
class ChangeTableTest {
  private static byte[] key(int keySize, long i) {
    byte[] k = new byte[keySize];
    byte[] id = ByteBuffer.allocate(8).putLong(i * 0x9E3779B97F4A7C15L).array();
    for (int b = 0; b < keySize; b++) {
      k[b] = id[b % 8];
    }
    if (keySize >= 8) {
      System.arraycopy(ByteBuffer.allocate(8).putLong(i).array(), 0, k, 0, 8);
    }
    return k;
  }

  private static ChangeTable.Change put(ChangeTable t, byte[] k, long fp, int cycle) {
    return t.put(MemorySegment.ofArray(k), 0, fp, cycle);
  }

  /** Removes and returns every key not seen in {@code cycle}. */
  private static Set<String> sweep(ChangeTable t, int cycle) {
    Set<String> gone = new HashSet<>();
    t.startSweep();
    for (byte[] k = t.removeNextUnseen(cycle); k != null; k = t.removeNextUnseen(cycle)) {
      assertThat(gone.add(HexFormat.of().formatHex(k))).as("a key removed twice").isTrue();
    }
    return gone;
  }

  @Property(tries = 200)
  void behavesLikeAMapOfKeysToFingerprintsAcrossCycles(@ForAll @IntRange(min = 1, max = 70) int keySize,
      @ForAll @IntRange(min = 1, max = 6000) int keys, @ForAll long seed) {
    Random r = new Random(seed);
    ChangeTable t = new ChangeTable(keySize);
    Map<String, Long> model = new HashMap<>();
    for (int cycle = 1; cycle <= 4; cycle++) {
      Set<String> seen = new HashSet<>();
      int present = r.nextInt(keys) + 1;
      for (int n = 0; n < present; n++) {
        long id = r.nextInt(keys);
        byte[] k = key(keySize, id);
        String hex = HexFormat.of().formatHex(k);
        if (!seen.add(hex)) {
          assertThat(t.seenIn(MemorySegment.ofArray(k), 0, cycle)).isTrue();
          continue;
        }
        assertThat(t.seenIn(MemorySegment.ofArray(k), 0, cycle)).isFalse();
        // Fingerprints of 0 and 1 are stored as 2 and 3 (0 and 1 are reserved): stay clear of them.
        long fp = 4 + (r.nextInt(3) == 0 ? id * 31 + cycle : id * 31);
        Long before = model.put(hex, fp);
        ChangeTable.Change expected = before == null ? ChangeTable.Change.NEW
            : before == fp ? ChangeTable.Change.SAME : ChangeTable.Change.CHANGED;
        assertThat(put(t, k, fp, cycle)).isEqualTo(expected);
      }
      Set<String> expectedGone = new HashSet<>(model.keySet());
      expectedGone.removeAll(seen);
      assertThat(sweep(t, cycle)).isEqualTo(expectedGone);
      model.keySet().removeAll(expectedGone);
      assertThat(t.size()).isEqualTo(model.size());
    }
  }

  @Test
  void fingerprintsEqualToTheReservedValuesAreStillCompared() {
    ChangeTable t = new ChangeTable(4);
    byte[] k = key(4, 1);
    assertThat(put(t, k, 0, 1)).isEqualTo(ChangeTable.Change.NEW);
    assertThat(put(t, k, 0, 2)).isEqualTo(ChangeTable.Change.SAME);
    assertThat(put(t, k, ChangeTable.UNKNOWN, 3)).isEqualTo(ChangeTable.Change.CHANGED);
    assertThat(put(t, k, ChangeTable.UNKNOWN, 4)).isEqualTo(ChangeTable.Change.SAME);
  }

  @Test
  void aForgottenKeyIsChangedWhenSeenAgainAndDeletedWhenNot() {
    ChangeTable t = new ChangeTable(16);
    byte[] kept = key(16, 1);
    byte[] gone = key(16, 2);
    byte[] neverStored = key(16, 3);
    put(t, kept, 42, 1);
    put(t, gone, 43, 1);
    assertThat(sweep(t, 1)).isEmpty();
    t.forget(kept, 1);
    t.forget(gone, 1);
    t.forget(neverStored, 1);
    assertThat(put(t, kept, 42, 2)).as("same value, but its last event was lost").isEqualTo(ChangeTable.Change.CHANGED);
    assertThat(put(t, gone, 43, 2)).isEqualTo(ChangeTable.Change.CHANGED);
    assertThat(sweep(t, 2)).containsExactly(HexFormat.of().formatHex(neverStored));
    assertThat(put(t, kept, 42, 3)).isEqualTo(ChangeTable.Change.SAME);
  }

  @Test
  void memoryFollowsTheLiveKeysUpAndBackDown() {
    int keySize = 40;
    ChangeTable t = new ChangeTable(keySize);
    long empty = t.retainedBytes();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      keys.add(key(keySize, i));
      put(t, keys.get(i), i, 1);
    }
    double perEntry = (double) t.retainedBytes() / keys.size();
    assertThat(perEntry).as("bytes per entry at 200 000 keys of 40 bytes").isLessThanOrEqualTo(32 + keySize);
    for (int i = 0; i < 1_000; i++) {
      put(t, keys.get(i), i, 2);
    }
    assertThat(sweep(t, 2)).hasSize(199_000);
    assertThat(t.retainedBytes()).as("after 199 000 keys went").isLessThan(1_000 * (32L + keySize) * 2);
    for (int i = 0; i < 1_000; i++) {
      assertThat(put(t, keys.get(i), i, 3)).isEqualTo(ChangeTable.Change.SAME);
    }
    assertThat(sweep(t, 4)).hasSize(1_000);
    assertThat(t.size()).isZero();
    assertThat(t.retainedBytes()).isEqualTo(empty + 16L * (2 + keySize / 8) * 8);
  }
}
