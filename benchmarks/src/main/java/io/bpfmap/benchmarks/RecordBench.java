package io.bpfmap.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bpfmap.core.record.FieldAccessor;
import io.bpfmap.core.record.RecordJsonWriter;
import io.bpfmap.core.record.RecordLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
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
 * Decoding the 64-byte value of eight {@code Q} from native memory: to a Map, to JSON bytes, and
 * by accessor, each next to the plain way of doing the same (the reference).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Arena arena;
  private MemorySegment record;
  private RecordLayout layout;
  private RecordJsonWriter writer;
  private FieldAccessor[] accessors;

  @Setup(Level.Trial)
  public void setup() {
    arena = Arena.ofConfined();
    layout = RecordLayout.of(List.of(List.of("data", "8Q")));
    record = arena.allocate(64, 8);
    for (int i = 0; i < 8; i++) {
      record.set(ValueLayout.JAVA_LONG, i * 8L, (i + 1) * 1_000_003L * (i == 7 ? -1 : 1));
    }
    writer = layout.jsonWriter();
    accessors = new FieldAccessor[8];
    for (int i = 0; i < 8; i++) {
      accessors[i] = layout.accessor("data[" + i + "]");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** Ours: the record as a Map. */
  @Benchmark
  public Map<String, Object> toMap() {
    return layout.unpack(record, 0);
  }

  /** Reference for toMap: copying the 64 bytes out of native memory. */
  @Benchmark
  public byte[] toMapReference() {
    return record.toArray(ValueLayout.JAVA_BYTE);
  }

  /** Ours: JSON bytes straight from native memory. */
  @Benchmark
  public byte[] toJson() {
    return writer.toJson(record, 0);
  }

  /** Reference for toJson: unpack to a Map, then Jackson databind. */
  @Benchmark
  public byte[] toJsonReference() throws JsonProcessingException {
    return MAPPER.writeValueAsBytes(layout.unpack(record, 0));
  }

  /** Ours: the eight numbers through compiled accessors. */
  @Benchmark
  public void byAccessor(Blackhole bh) {
    for (FieldAccessor a : accessors) {
      bh.consume(a.getLong(record, 0));
    }
  }

  /** Reference for byAccessor: the eight numbers read by hand with the FFM API. */
  @Benchmark
  public void byAccessorReference(Blackhole bh) {
    for (int i = 0; i < 8; i++) {
      bh.consume(record.get(ValueLayout.JAVA_LONG_UNALIGNED, i * 8L));
    }
  }
}
