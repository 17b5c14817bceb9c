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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding a record of {@code examples/flows.bpf.c} by the layout read from its BTF (the map's,
 * loaded by libbpf), against a hand-written layout of the same struct as the reference: the same
 * bytes, read as a Map, as JSON and by accessor.
 * <ul>
 *   <li>{@code key}: {@code struct flow_key}, numbers and padding, hand-written
 *       {@code [[saddr,I],[daddr,I],[sport,H],[dport,H],[proto,B],[pad,3x]]}: the same output;</li>
 *   <li>{@code value}: {@code struct flow_stats}, hand-written with the enum's names and the
 *       {@code char[16]} in explicit forms: the same output;</li>
 *   <li>{@code letters}: {@code struct flow_stats} against the letters
 *       {@code [[packets,Q],[bytes,Q],[verdict,I],[comm,16s],[secret,I]]}, which print the enum's
 *       number where BTF prints its name, and decode {@code comm} as a C string where BTF applies
 *       bpftool's text-or-numbers test: what the richer output costs.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BtfRecordBench {
  static final String OBJECT = "bpfmap.bench.flows";

  @Param({"key", "value", "letters"})
  public String record;

  private Arena arena;
  private MemorySegment bytes;
  private RecordLayout btf;
  private RecordLayout hand;
  private RecordJsonWriter btfWriter;
  private RecordJsonWriter handWriter;
  private FieldAccessor[] btfAccessors;
  private FieldAccessor[] handAccessors;

  @Setup(Level.Trial)
  public void setup() {
    boolean key = record.equals("key");
    try (BpfObject obj = BpfObject.open(Path.of(System.getProperty(OBJECT)))) {
      BpfMap map = obj.map("btf_flows");
      btf = key ? map.btf().orElseThrow().keyLayout().orElseThrow() : map.btf().orElseThrow().valueLayout().orElseThrow();
    }
    hand = RecordLayout.parse(switch (record) {
      case "key" -> "[[\"saddr\",\"I\"],[\"daddr\",\"I\"],[\"sport\",\"H\"],[\"dport\",\"H\"],"
          + "[\"proto\",\"B\"],[\"pad\",\"3x\"]]";
      case "value" -> "[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],"
          + "[\"verdict\",{\".enum\":[\"I\",{\"PASS\":0,\"DROP\":1,\"REDIRECT\":2}]}],"
          + "[\"comm\",{\".chars\":[16,true]}],[\"secret\",\"I\"]]";
      default -> "[[\"packets\",\"Q\"],[\"bytes\",\"Q\"],[\"verdict\",\"I\"],[\"comm\",\"16s\"],"
          + "[\"secret\",\"I\"]]";
    });
    if (hand.size() != btf.size() || !hand.leafPaths().equals(btf.leafPaths())) {
      throw new IllegalStateException("the layouts differ: " + hand + " / " + btf);
    }
    arena = Arena.ofConfined();
    bytes = arena.allocate(btf.size(), 8);
    btf.pack(key ? Map.of("saddr", 16777226, "daddr", 33554442, "sport", 40000, "dport", 443, "proto", 6)
        : Map.of("packets", 10, "bytes", 1500, "verdict", "DROP", "comm", "curl", "secret", 42), bytes, 0);
    btfWriter = btf.jsonWriter();
    handWriter = hand.jsonWriter();
    if (!record.equals("letters") && !java.util.Arrays.equals(btfWriter.toJson(bytes, 0), handWriter.toJson(bytes, 0))) {
      throw new IllegalStateException("the outputs differ: " + btf.unpack(bytes, 0) + " / " + hand.unpack(bytes, 0));
    }
    String[] fields = key ? new String[] {"saddr", "sport", "proto"} : new String[] {"packets", "bytes", "verdict"};
    btfAccessors = new FieldAccessor[fields.length];
    handAccessors = new FieldAccessor[fields.length];
    for (int i = 0; i < fields.length; i++) {
      btfAccessors[i] = btf.accessor(fields[i]);
      handAccessors[i] = hand.accessor(fields[i]);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  @Benchmark
  public Map<String, Object> toMap() {
    return btf.unpack(bytes, 0);
  }

  @Benchmark
  public Map<String, Object> toMapReference() {
    return hand.unpack(bytes, 0);
  }

  @Benchmark
  public byte[] toJson() {
    return btfWriter.toJson(bytes, 0);
  }

  @Benchmark
  public byte[] toJsonReference() {
    return handWriter.toJson(bytes, 0);
  }

  @Benchmark
  public void byAccessor(Blackhole bh) {
    for (FieldAccessor a : btfAccessors) {
      bh.consume(a.getLong(bytes, 0));
    }
  }

  @Benchmark
  public void byAccessorReference(Blackhole bh) {
    for (FieldAccessor a : handAccessors) {
      bh.consume(a.getLong(bytes, 0));
    }
  }
}
