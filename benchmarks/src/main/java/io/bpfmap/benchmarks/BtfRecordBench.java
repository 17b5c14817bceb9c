package io.bpfmap.benchmarks;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.BpfObject;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding {@code struct flow_stats} of {@code examples/flows.bpf.c} (two u64, an enum, a
 * {@code char[16]}, a u32) by the layout read from its BTF (the map's, loaded by libbpf), against
 * the equivalent hand-written layout {@code [[packets,Q],[bytes,Q],[verdict,I],[comm,16s],[secret,I]]}
 * as the reference: the same bytes, read as a Map, as JSON and by accessor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BtfRecordBench {
  static final String OBJECT = "bpfmap.bench.flows";

  private Arena arena;
  private MemorySegment record;
  private RecordLayout btf;
  private RecordLayout hand;
  private RecordJsonWriter btfWriter;
  private RecordJsonWriter handWriter;
  private FieldAccessor[] btfAccessors;
  private FieldAccessor[] handAccessors;

  @Setup(Level.Trial)
  public void setup() {
    try (BpfObject obj = BpfObject.open(Path.of(System.getProperty(OBJECT)))) {
      BpfMap map = obj.map("btf_flows");
      btf = map.btf().orElseThrow().valueLayout().orElseThrow();
    }
    hand = RecordLayout.parse("[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"verdict\",\"I\"],[\"comm\",\"16s\"],"
        + "[\"secret\",\"I\"]]");
    if (hand.size() != btf.size() || !hand.leafPaths().equals(btf.leafPaths())) {
      throw new IllegalStateException("the layouts differ: " + hand + " / " + btf);
    }
    arena = Arena.ofConfined();
    record = arena.allocate(btf.size(), 8);
    btf.pack(Map.of("packets", 10, "bytes", 1500, "verdict", "DROP", "comm", "curl", "secret", 42), record, 0);
    btfWriter = btf.jsonWriter();
    handWriter = hand.jsonWriter();
    btfAccessors = new FieldAccessor[] {btf.accessor("packets"), btf.accessor("bytes"), btf.accessor("verdict")};
    handAccessors = new FieldAccessor[] {hand.accessor("packets"), hand.accessor("bytes"), hand.accessor("verdict")};
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public Map<String, Object> toMap() {
    return btf.unpack(record, 0);
  }

  @Benchmark
  public Map<String, Object> toMapReference() {
    return hand.unpack(record, 0);
  }

  @Benchmark
  public byte[] toJson() {
    return btfWriter.toJson(record, 0);
  }

  @Benchmark
  public byte[] toJsonReference() {
    return handWriter.toJson(record, 0);
  }

  @Benchmark
  public void byAccessor(Blackhole bh) {
    for (FieldAccessor a : btfAccessors) {
      bh.consume(a.getLong(record, 0));
    }
  }

  @Benchmark
  public void byAccessorReference(Blackhole bh) {
    for (FieldAccessor a : handAccessors) {
      bh.consume(a.getLong(record, 0));
    }
  }
}
