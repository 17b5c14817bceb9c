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
 * The question is what a layout costs, so both sides of a pair run through the same loop (one
 * method, compiled once, for both) in one JVM, one JVM per record: only the layout differs. In
 * separate JMH forks, each fork's own JIT decisions moved equal layouts' ratios by up to 36 %
 * between runs (one run's four forks of the same reference took 117–162 ns per record).
 * {@link Paired} alternates the two sides.
 */
final class BtfRecordBench {
  static final String OBJECT = "bpfmap.bench.flows";
  private static final String[] RECORDS = {"key", "value", "letters"};

  private final Arena arena;
  private final MemorySegment bytes;
  private final RecordLayout btf;
  private final RecordLayout hand;
  private final RecordJsonWriter btfWriter;
  private final RecordJsonWriter handWriter;
  private final FieldAccessor[] btfAccessors;
  private final FieldAccessor[] handAccessors;

  private BtfRecordBench(String record) {
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
    arena = Arena.ofAuto();
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

  /** Runs each record's pairs in a JVM of its own, as the run's JMH benchmarks do. */
  static void run() {
    for (String record : RECORDS) {
      Paired.inOwnJvm(BtfRecordBench.class, record);
    }
  }

  /** In the child JVM: the three pairs of one record. */
  public static void main(String[] args) {
    BtfRecordBench b = new BtfRecordBench(args[0]);
    Blackhole bh = Paired.blackhole();
    String name = "record.btf.%s." + args[0];
    Paired.report(name.formatted("byAccessor"), n -> byAccessor(b.btfAccessors, b.bytes, n, bh),
        n -> byAccessor(b.handAccessors, b.bytes, n, bh));
    Paired.report(name.formatted("toJson"), n -> toJson(b.btfWriter, b.bytes, n, bh),
        n -> toJson(b.handWriter, b.bytes, n, bh));
    Paired.report(name.formatted("toMap"), n -> toMap(b.btf, b.bytes, n, bh), n -> toMap(b.hand, b.bytes, n, bh));
  }

  private static void toMap(RecordLayout layout, MemorySegment bytes, long n, Blackhole bh) {
    for (long i = 0; i < n; i++) {
      bh.consume(layout.unpack(bytes, 0));
    }
  }

  private static void toJson(RecordJsonWriter writer, MemorySegment bytes, long n, Blackhole bh) {
    for (long i = 0; i < n; i++) {
      bh.consume(writer.toJson(bytes, 0));
    }
  }

  private static void byAccessor(FieldAccessor[] accessors, MemorySegment bytes, long n, Blackhole bh) {
    for (long i = 0; i < n; i++) {
      for (FieldAccessor a : accessors) {
        bh.consume(a.getLong(bytes, 0));
      }
    }
  }
}
