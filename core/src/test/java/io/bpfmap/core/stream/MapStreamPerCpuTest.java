package io.bpfmap.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.bpfmap.core.BpfMap;
import io.bpfmap.core.MapSpec;
import io.bpfmap.core.MapType;
import io.bpfmap.core.UpdateFlag;
import io.bpfmap.core.record.RecordLayout;
import io.bpfmap.core.stream.MapEvent.Kind;
import io.bpfmap.core.testing.KernelTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Per-CPU maps: aggregation equals the per-CPU values combined by hand; PER_CPU keeps them apart. */
@KernelTest
class MapStreamPerCpuTest {
  private static final RecordLayout KEY = RecordLayout.parse("=I");
  private static final RecordLayout VALUE = RecordLayout.parse("[[\"count\",\"Q\"],[\"level\",\"i\"],[\"ratio\",\"d\"]]");

  /** CPU c of key k holds count = k*1000 + c*7 + 1, level = c - 1 - k, ratio = k + c / 4. */
  private static List<byte[]> perCpu(int k, int cpus) {
    List<byte[]> out = new ArrayList<>();
    for (int c = 0; c < cpus; c++) {
      out.add(VALUE.pack(Map.of("count", k * 1000L + c * 7L + 1, "level", c - 1 - k, "ratio", k + c / 4.0)));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(PerCpuPolicy.class)
  void perCpuValuesAggregateAsDoneByHand(PerCpuPolicy policy) {
    int cpus = BpfMap.possibleCpus();
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (BpfMap map = BpfMap.create(MapSpec.of(MapType.PERCPU_HASH, "t_pcpu", 4, VALUE.size(), 64))) {
      Map<Long, List<Map<String, Object>>> byHand = new HashMap<>();
      for (int k = 0; k < 20; k++) {
        List<byte[]> values = perCpu(k, cpus);
        map.updatePerCpu(KEY.pack(Map.of("f0", k)), values, UpdateFlag.ANY);
        byHand.put((long) k, values.stream().map(VALUE::unpack).toList());
      }
      MapStream stream = MapStream.builder(map).keyLayout(KEY).valueLayout(VALUE).perCpu(policy)
          .interval(Duration.ofSeconds(10)).timer(vts).build();
      StepVerifier.create(stream.events())
          .recordWith(ArrayList::new)
          .thenConsumeWhile(e -> e.kind() != Kind.CYCLE_END)
          .consumeRecordedWith(recorded -> {
            List<MapEvent> events = recorded.stream().filter(e -> e.kind() == Kind.UPSERT).toList();
            if (policy == PerCpuPolicy.PER_CPU) {
              assertThat(events).hasSize(20 * cpus);
              for (MapEvent e : events) {
                long k = ((Number) e.key().get("f0")).longValue();
                assertThat(e.value()).isEqualTo(byHand.get(k).get(e.cpu()));
              }
            } else {
              assertThat(events).hasSize(20).allSatisfy(e -> assertThat(e.cpu()).isEqualTo(-1));
              for (MapEvent e : events) {
                long k = ((Number) e.key().get("f0")).longValue();
                assertThat(e.value()).isEqualTo(combine(byHand.get(k), policy));
              }
            }
          })
          .expectNextMatches(e -> e.kind() == Kind.CYCLE_END)
          .thenCancel()
          .verify(Duration.ofSeconds(30));
    }
  }

  private static Map<String, Object> combine(List<Map<String, Object>> cpus, PerCpuPolicy policy) {
    long count = (Long) cpus.get(0).get("count");
    int level = (Integer) cpus.get(0).get("level");
    double ratio = (Double) cpus.get(0).get("ratio");
    for (Map<String, Object> v : cpus.subList(1, cpus.size())) {
      long c = (Long) v.get("count");
      int l = (Integer) v.get("level");
      double r = (Double) v.get("ratio");
      switch (policy) {
        case SUM -> {
          count += c;
          level += l;
          ratio += r;
        }
        case MIN -> {
          count = Math.min(count, c);
          level = Math.min(level, l);
          ratio = Math.min(ratio, r);
        }
        default -> {
          count = Math.max(count, c);
          level = Math.max(level, l);
          ratio = Math.max(ratio, r);
        }
      }
    }
    return Map.of("count", count, "level", level, "ratio", ratio);
  }
}
