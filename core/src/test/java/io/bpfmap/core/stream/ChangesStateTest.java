package io.bpfmap.core.stream;

import static io.bpfmap.core.stream.StreamFixture.key;
import static io.bpfmap.core.stream.StreamFixture.uid;
import static io.bpfmap.core.stream.StreamFixture.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.ParsedMap;
import io.bpfmap.core.mask.PermissionMask;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A CHANGES stream made anew from what its sink acknowledged (in memory, or in a file across a
 * restart) sends only the difference: new and changed entries, and deletes for keys gone.
 */
@KernelTest
class ChangesStateTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The first cycle's UPSERT and DELETE events by uid, each acknowledged into {@code state}. */
  private static Map<Long, Kind> firstCycle(MapStream stream, ChangesState state) {
    List<MapEvent> events = stream.events().takeUntil(e -> e.kind() == Kind.CYCLE_END).collectList().block(TIMEOUT);
    Map<Long, Kind> out = new TreeMap<>();
    for (MapEvent e : events) {
      if (e.kind() != Kind.CYCLE_END) {
        state.acknowledged(e);
        out.put(uid(e), e.kind());
      }
    }
    return out;
  }

  private static MapStream stream(BpfMap map, ChangesState baseline) {
    return StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES).changesBaseline(baseline).build();
  }

  @Test
  void aStreamMadeAnewSendsOnlyWhatChangedWhileItWasAway(@TempDir Path tmp) throws Exception {
    try (BpfMap map = StreamFixture.hash("t_cstate", 100)) {
      StreamFixture.fill(map, 10);
      String identity;
      ChangesState state;
      try (MapStream first = StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES).build()) {
        identity = ChangesState.identity(first.view(), PerCpuPolicy.SUM);
        state = ChangesState.empty(identity, map.keySize());
        try (MapStream seeded = stream(map, state)) {
          assertThat(firstCycle(seeded, state)).as("an empty state: everything").hasSize(10);
        }
      }
      Path file = tmp.resolve("t_cstate.changes");
      state.save(file);
      // while nobody reads: 2 deleted, 2 changed, one changed in a hidden field only, 2 added
      ParsedMap parsed = map.parsed(StreamFixture.KEY, StreamFixture.VALUE);
      parsed.delete(key(1));
      parsed.delete(key(2));
      parsed.update(key(3), value(3, 999));
      parsed.update(key(4), value(40, 400));
      Map<String, Object> hiddenOnly = new java.util.HashMap<>(value(5, 500));
      hiddenOnly.put("secret", 1L);
      parsed.update(key(5), hiddenOnly);
      parsed.update(key(20), value(1, 2));
      parsed.update(key(21), value(1, 2));
      ChangesState loaded = ChangesState.load(file, identity, map.keySize());
      assertThat(loaded.size()).isEqualTo(10);
      try (MapStream restarted = stream(map, loaded)) {
        assertThat(firstCycle(restarted, loaded)).isEqualTo(Map.of(1L, Kind.DELETE, 2L, Kind.DELETE, 3L, Kind.UPSERT,
            4L, Kind.UPSERT, 20L, Kind.UPSERT, 21L, Kind.UPSERT));
      }
      assertThat(loaded.size()).as("what the sink holds now").isEqualTo(10);
      // the same again: nothing to send
      try (MapStream again = stream(map, loaded)) {
        assertThat(firstCycle(again, loaded)).isEmpty();
      }
    }
  }

  @Test
  void aStateOfOtherLayoutsKeepsItsKeysAndSendsEveryValueAgain(@TempDir Path tmp) throws Exception {
    try (BpfMap map = StreamFixture.hash("t_cstate2", 100)) {
      StreamFixture.fill(map, 4);
      MapStream probe = StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES).build();
      String identity = ChangesState.identity(probe.view(), PerCpuPolicy.SUM);
      probe.close();
      ChangesState state = ChangesState.empty(identity, map.keySize());
      try (MapStream s = stream(map, state)) {
        firstCycle(s, state);
      }
      Path file = tmp.resolve("t_cstate2.changes");
      state.save(file);
      map.parsed(StreamFixture.KEY, StreamFixture.VALUE).delete(key(0));
      // another mask: every value visible now, so every fingerprint is another
      PermissionMask all = PermissionMask.readAll();
      try (MapStream wider = StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES).mask(all)
          .build()) {
        String other = ChangesState.identity(wider.view(), PerCpuPolicy.SUM);
        assertThat(other).isNotEqualTo(identity);
        ChangesState loaded = ChangesState.load(file, other, map.keySize());
        try (MapStream s = StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES).mask(all)
            .changesBaseline(loaded).build()) {
          assertThat(firstCycle(s, loaded)).isEqualTo(Map.of(0L, Kind.DELETE, 1L, Kind.UPSERT, 2L, Kind.UPSERT,
              3L, Kind.UPSERT));
        }
        assertThatThrownBy(() -> StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.CHANGES)
            .changesBaseline(state).mask(all).build()).hasMessageContaining("the changes baseline was made with other "
                + "layouts, mask or per-CPU policy");
        assertThat(state.rebased(other).size()).isEqualTo(4);
      }
      assertThatThrownBy(() -> StreamFixture.stream(map, VirtualTimeScheduler.create()).mode(Mode.SNAPSHOT)
          .changesBaseline(state).build()).hasMessageContaining("a changes baseline is for CHANGES streams, not SNAPSHOT");
    }
  }

  @Test
  void aDamagedFileIsAOneLineError(@TempDir Path tmp) throws Exception {
    ChangesState s = ChangesState.empty("id", 16);
    Path file = tmp.resolve("x.changes");
    s.save(file);
    assertThat(ChangesState.load(tmp.resolve("none.changes"), "id", 16).size()).as("no file: empty").isZero();
    assertThatThrownBy(() -> ChangesState.load(file, "id", 8)).hasMessageContaining("its keys are 16 bytes, the map's 8");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    assertThatThrownBy(() -> ChangesState.load(file, "id", 16)).hasMessageContaining("its checksum does not match: "
        + "delete it, and the next start sends every entry").hasMessageContaining(file.toString());
    Files.write(file, java.util.Arrays.copyOf(bytes, 20));
    assertThatThrownBy(() -> ChangesState.load(file, "id", 16)).hasMessageContaining("it ends early");
    Files.writeString(file, "hello, this is not a state file at all");
    assertThatThrownBy(() -> ChangesState.load(file, "id", 16)).hasMessageContaining("not a bpfmap changes state");
  }
}
